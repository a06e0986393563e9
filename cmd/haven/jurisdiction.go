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
		fs.StringVar(&in.Code, "code", "", "the jurisdiction's code: the country code, or CC-XXXX for a unit inside it")
		fs.StringVar(&in.Name, "name", "", "its name")
		fs.StringVar(&in.Parent, "parent", "", "the code of the jurisdiction it belongs to (a unit inside a country)")
		fs.StringVar(&in.TimeZone, "time-zone", "", "IANA time zone")
		fs.StringVar(&in.Calendar, "calendar", "", "the code of the jurisdiction whose holidays it counts (default: its own)")
		fs.StringVar(&in.LegalProfile, "legal-profile", "", "the decision rules it follows (NP, KR, TH, MN, DEFAULT; default: its country's)")
		fs.StringVar(&in.Languages, "languages", "", "its languages, comma-separated tags (ne,en)")
		fs.StringVar(&in.RGWorkingDays, "rg-working-days", "", "reasonable-grounds target in working days (default: the legal profile's)")
		fs.StringVar(&in.RecoveryMinDays, "recovery-min-days", "", "minimum recovery period in days, at least 30 (default: the profile's)")
		fs.StringVar(&in.NegativeRGReview, "negative-rg-review", "", "yes or no: a negative reasonable-grounds decision needs a second person (default: the profile's)")
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
		v := f.Value.String()
		switch f.Name {
		case "name":
			cur.Name = v
		case "parent":
			cur.Parent = v
		case "time-zone":
			cur.TimeZone = v
		case "calendar":
			cur.Calendar = v
		case "legal-profile":
			cur.LegalProfile = v
		case "languages":
			cur.Languages = v
		case "rg-working-days":
			cur.RGWorkingDays = v
		case "recovery-min-days":
			cur.RecoveryMinDays = v
		case "negative-rg-review":
			cur.NegativeRGReview = v
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
