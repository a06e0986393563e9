package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/errs"
)

// agencyJSON is an agency in --json output: the API's shape.
type agencyJSON = admin.AgencyJSON

func toAgencyJSON(a admin.Agency) agencyJSON { return admin.AgencyToJSON(a) }

// namesFlag collects --name-in LANG=NAME, once per language.
type namesFlag map[string]string

func (n namesFlag) String() string { return "" }
func (n namesFlag) Set(v string) error {
	tag, name, ok := strings.Cut(v, "=")
	if !ok || tag == "" || name == "" {
		return fmt.Errorf("want LANG=NAME")
	}
	n[tag] = name
	return nil
}

// runAgency keeps agencies from the command line: the same service
// methods and audit events as the pages.
func runAgency(ctx context.Context, e env, args []string) error {
	sub, args, fs, c, err := subcommand(e, "agency", []string{"add", "list", "update"}, args)
	if err != nil {
		return err
	}
	var in admin.AgencyInput
	var id, designations string
	var asJSON bool
	names := namesFlag{}
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
	switch sub {
	case "add", "update":
		if sub == "update" {
			fs.StringVar(&id, "id", "", "the agency's id")
			fs.StringVar(&in.Active, "active", "", "yes or no: whether the agency takes part")
		}
		fs.StringVar(&in.Jurisdiction, "jurisdiction", "", "the code of its jurisdiction")
		fs.StringVar(&in.Kind, "kind", "", "its sector: "+strings.Join(admin.AgencyKinds, ", "))
		fs.StringVar(&in.Name, "name", "", "its name in the jurisdiction's first language")
		fs.Var(names, "name-in", "its name in another language, LANG=NAME (repeatable)")
		fs.StringVar(&designations, "designations", "", "comma-separated: "+strings.Join(admin.Designations, ", "))
		fs.StringVar(&in.Contact, "contact", "", "the office's public contact (never a person's)")
	case "list":
	}
	if err := parseCommand(fs, c, args); err != nil {
		return err
	}
	if len(names) > 0 {
		in.Names = names
	}
	if designations != "" {
		in.Designations = strings.Split(designations, ",")
	}
	db, _, svc, err := openAdmin(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	var a admin.Agency
	switch sub {
	case "list":
		as, err := svc.Agencies(ctx, admin.Shell)
		if err != nil {
			return err
		}
		return printList(e.stdout, asJSON, as, toAgencyJSON, "ID\tKIND\tNAME\tDESIGNATIONS\tACTIVE", func(a admin.Agency) []any {
			return []any{a.ID, a.Kind, a.Name, a.Designations, a.Active}
		})
	case "add":
		if a, err = svc.AddAgency(ctx, admin.Shell, in); err != nil {
			return err
		}
	default:
		if id == "" {
			return errs.E(errs.Invalid, "update needs --id")
		}
		if a, err = svc.UpdateAgency(ctx, admin.Shell, id, in); err != nil {
			return err
		}
	}
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(toAgencyJSON(a))
	}
	fmt.Fprintf(e.stdout, "agency %s %sed (id %s)\n", a.Name, strings.TrimSuffix(sub, "e"), a.ID)
	return nil
}
