package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/haven-nrm/haven/internal/screening"
)

// runScreen implements "haven screen": it reads one JSON case from stdin
// and writes the screening result as indented JSON to stdout. Errors are
// returned for the caller to print, so that the exit status is set in one
// place.
func runScreen(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("screen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profileFile := fs.String("profile", "", "load an extra indicator profile from `FILE` and screen with it")
	jurisdiction := fs.String("jurisdiction", "", "national legal profile `CODE` (default: the Protocol definition)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: haven screen [--profile FILE] [--jurisdiction CODE] < case.json")
		fmt.Fprintln(fs.Output(), "Screens one case (JSON on standard input) and writes the result as JSON. See docs/SCREENING.md.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("screen: unexpected argument %q (the case is read from standard input)", fs.Arg(0))
	}

	profiles, err := screening.DefaultProfiles()
	if err != nil {
		return err
	}
	jurisdictions, err := screening.DefaultJurisdictions()
	if err != nil {
		return err
	}
	var opts screening.Options
	opts.Jurisdiction = *jurisdiction
	if *profileFile != "" {
		p, err := screening.LoadProfileFile(*profileFile)
		if err != nil {
			return err
		}
		// A loaded profile replaces an embedded one with the same id, which
		// is how an authority substitutes its checked copy of a list.
		profiles = slices.DeleteFunc(profiles, func(q *screening.Profile) bool { return q.ID == p.ID })
		profiles = append(profiles, p)
		opts.ProfileID = p.ID
	}
	engine, err := screening.NewEngine(profiles, jurisdictions)
	if err != nil {
		return err
	}

	c, err := screening.DecodeCase(stdin)
	if err != nil {
		return err
	}
	res, err := engine.Screen(c, opts)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}
