package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/errs"
)

// jurisdictionJSON is a jurisdiction in --json output: the API's shape.
type jurisdictionJSON = admin.JurisdictionJSON

func toJurisdictionJSON(j admin.Jurisdiction) jurisdictionJSON { return admin.ToJSON(j) }

// jurisdictionFlags are the flags of add and update, each setting the
// field of the input of its name (jurisdictionField).
var jurisdictionFlags = []struct{ name, usage string }{
	{"code", "the jurisdiction's code: the country code, or CC-XXXX for a unit inside it"},
	{"name", "its name"},
	{"parent", "the code of the jurisdiction it belongs to (a unit inside a country)"},
	{"time-zone", "IANA time zone"},
	{"calendar", "the code of the jurisdiction whose holidays it counts (default: its own)"},
	{"legal-profile", "the decision rules it follows (NP, KR, TH, MN, DEFAULT; default: its country's)"},
	{"languages", "its languages, comma-separated tags (ne,en)"},
	{"rg-working-days", "reasonable-grounds target in working days (default: the legal profile's)"},
	{"recovery-min-days", "minimum recovery period in days, at least 30 (default: the profile's)"},
	{"negative-rg-review", "yes or no: a negative reasonable-grounds decision needs a second person (default: the profile's)"},
}

// jurisdictionField is the field of in that the flag name sets; nil for
// another flag.
func jurisdictionField(in *admin.JurisdictionInput, name string) *string {
	return map[string]*string{
		"code":               &in.Code,
		"name":               &in.Name,
		"parent":             &in.Parent,
		"time-zone":          &in.TimeZone,
		"calendar":           &in.Calendar,
		"legal-profile":      &in.LegalProfile,
		"languages":          &in.Languages,
		"rg-working-days":    &in.RGWorkingDays,
		"recovery-min-days":  &in.RecoveryMinDays,
		"negative-rg-review": &in.NegativeRGReview,
	}[name]
}

// runJurisdiction keeps jurisdictions from the command line, for scripted
// set-up: the same service methods and audit events as the pages.
func runJurisdiction(ctx context.Context, e env, args []string) error {
	sub, args, fs, c, err := subcommand(e, "jurisdiction", []string{"add", "list", "update"}, args)
	if err != nil {
		return err
	}
	var in admin.JurisdictionInput
	var asJSON bool
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
	switch sub {
	case "add", "update":
		for _, f := range jurisdictionFlags {
			fs.StringVar(jurisdictionField(&in, f.name), f.name, "", f.usage)
		}
	case "list":
	}
	if err := parseSetupCommand(fs, c, args); err != nil {
		return err
	}
	if sub == "add" {
		in.Country = c.Country // empty: the code's first two letters
	}
	db, _, svc, err := openAdmin(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "list":
		js, err := svc.Jurisdictions(ctx, admin.Shell)
		if err != nil {
			return err
		}
		return printList(e.stdout, asJSON, js, toJurisdictionJSON, "CODE\tCOUNTRY\tNAME\tTIME ZONE\tLEGAL PROFILE", func(j admin.Jurisdiction) []any {
			return []any{j.Code, j.Country, j.Name, j.Timezone, j.LegalProfile}
		})
	case "add":
		if in.Country == "" && len(in.Code) >= 2 {
			in.Country = in.Code[:2]
		}
		j, err := svc.AddJurisdiction(ctx, admin.Shell, in)
		if err != nil {
			return err
		}
		return printJurisdiction(e, j, asJSON, "added")
	}
	// update: the flags given change the current settings; the others stay.
	if in.Code == "" {
		return errs.E(errs.Invalid, "update needs --code")
	}
	cur, err := svc.EditJurisdiction(ctx, admin.Shell, in.Code)
	if err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) {
		if p := jurisdictionField(&cur, f.Name); p != nil && f.Name != "code" {
			*p = f.Value.String()
		}
	})
	j, err := svc.UpdateJurisdiction(ctx, admin.Shell, in.Code, cur)
	if err != nil {
		return err
	}
	return printJurisdiction(e, j, asJSON, "updated")
}

func printJurisdiction(e env, j admin.Jurisdiction, asJSON bool, what string) error {
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(toJurisdictionJSON(j))
	}
	fmt.Fprintf(e.stdout, "jurisdiction %s %s (id %s)\n", j.Code, what, j.ID)
	return nil
}
