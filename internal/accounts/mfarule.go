package accounts

import (
	"fmt"
	"strings"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/config"
)

// MFARule reads which roles must sign in with a second factor from the
// configuration (HAVEN_MFA_ROLES, HAVEN_MFA_REQUIRED) and refuses a bad
// setting.
func MFARule(c config.Config) (func(access.Role) bool, error) {
	roles, err := parseMFARoles(c.MFARoles)
	if err != nil {
		return nil, err
	}
	if c.MFAOptional {
		return func(access.Role) bool { return false }, nil
	}
	return func(r access.Role) bool { return roles[r] }, nil
}

// defaultMFARoles are the roles that see identifying data: all but the
// analyst, who sees aggregates only.
func defaultMFARoles() map[access.Role]bool {
	m := map[access.Role]bool{}
	for _, r := range access.Roles {
		if r != access.Analyst {
			m[r] = true
		}
	}
	return m
}

// parseMFARoles reads the HAVEN_MFA_ROLES setting: a comma list of roles,
// empty for the default, "none" for no role.
func parseMFARoles(list string) (map[access.Role]bool, error) {
	list = strings.TrimSpace(list)
	switch list {
	case "":
		return defaultMFARoles(), nil
	case "none":
		return map[access.Role]bool{}, nil
	}
	m := map[access.Role]bool{}
	for _, f := range strings.Split(list, ",") {
		r := access.Role(strings.TrimSpace(f))
		if !r.Valid() {
			return nil, fmt.Errorf("HAVEN_MFA_ROLES: %q is not a role", string(r))
		}
		m[r] = true
	}
	return m, nil
}
