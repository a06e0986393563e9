package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

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
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "usage: haven agency add|list|update [flags]")
		return errUsage
	}
	sub, args := args[0], args[1:]
	fs, c, err := configFlags("agency "+sub, e)
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
	default:
		fmt.Fprintf(e.stderr, "haven agency: unknown subcommand %q (add, list, update)\n", sub)
		return errUsage
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
	db, _, err := openInstance(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := admin.New(db, time.Now, nil)
	if err != nil {
		return err
	}
	var a admin.Agency
	switch sub {
	case "list":
		as, err := svc.Agencies(ctx, admin.Shell)
		if err != nil {
			return err
		}
		if asJSON {
			out := make([]agencyJSON, len(as))
			for i, a := range as {
				out[i] = toAgencyJSON(a)
			}
			return json.NewEncoder(e.stdout).Encode(out)
		}
		tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tNAME\tDESIGNATIONS\tACTIVE")
		for _, a := range as {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\n", a.ID, a.Kind, a.Name, a.Designations, a.Active)
		}
		return tw.Flush()
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
