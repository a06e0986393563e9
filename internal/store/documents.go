package store

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/haven-nrm/haven/internal/errs"
)

// DocVersion is the form of the JSON documents Haven keeps in a column: the
// decision record (cases.decision), an investigation (investigations.record)
// and a directory service (hsds_services.record) carry it as their
// "doc_version" member. Form 1 (no member) named the decision record's
// fields as Go does (CaseID, RGDeadline); form 2 names every member in
// snake_case. Migration 0013 brought stored documents to form 2. A change
// of names or meaning raises it, with a migration that rewrites the rows.
//
// The documents that are lists (the support tables' checklist, consent,
// overrides and assessments, service_referrals.history) have no member to
// carry it; their entries were snake_case already and the list's form is
// this same number.
const DocVersion = 2

// docPrefix starts a document that already names its form first.
var docPrefix = `{"doc_version":` + strconv.Itoa(DocVersion) + `,`

// stampDoc gives an object document its doc_version, first: as it is when
// it starts with the current one, else decoded, stamped and written again.
// The empty document (a case with no decision record) stays empty.
func stampDoc(doc string) (string, error) {
	if doc == "" || strings.HasPrefix(doc, docPrefix) {
		return doc, nil
	}
	if doc == "{}" {
		return docPrefix[:len(docPrefix)-1] + "}", nil
	}
	if !strings.HasPrefix(doc, "{") {
		return "", errs.E(errs.Internal, "a stored document is not a JSON object")
	}
	if !strings.Contains(doc, `"doc_version"`) {
		return docPrefix + doc[1:], nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		return "", errs.Wrap(errs.Internal, err)
	}
	delete(m, "doc_version")
	b, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	if bytes.Equal(b, []byte("{}")) {
		return docPrefix[:len(docPrefix)-1] + "}", nil
	}
	return docPrefix + string(b[1:]), nil
}
