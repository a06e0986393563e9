package web

import (
	"strings"
	"testing"
)

// Every case command runs a method of the case service itself, so the
// service's test that runs each of its command methods and checks that its
// transaction wrote an audit event (cases.TestEveryCommandWritesAnAuditEvent)
// covers every command of the table.
func TestCaseCommandsRunServiceMethods(t *testing.T) {
	for _, c := range caseCommands {
		name := c.Spec.Method
		if !strings.HasPrefix(name, "github.com/haven-nrm/haven/internal/cases.(*Service).") {
			t.Errorf("command %s runs %s, not a method of the case service", c.Name, name)
		}
	}
}
