package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/calendar"
	"github.com/haven-nrm/haven/internal/errs"
)

// runCalendar keeps calendars of public holidays: import an iCalendar
// file, load Haven's sample for the country, or list the versions.
func runCalendar(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "usage: haven calendar import|sample|list --jurisdiction CODE [FILE.ics] [--json]")
		return errUsage
	}
	sub, args := args[0], args[1:]
	fs, c, err := configFlags("calendar "+sub, e)
	if err != nil {
		return err
	}
	var code, source string
	var asJSON bool
	fs.StringVar(&code, "jurisdiction", "", "the jurisdiction's code")
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
	var file string
	switch sub {
	case "import":
		fs.StringVar(&source, "source", "", "where the file comes from (default: the file's name)")
	case "sample":
	case "list":
	default:
		fmt.Fprintf(e.stderr, "haven calendar: unknown subcommand %q (import, sample, list)\n", sub)
		return errUsage
	}
	if sub == "import" {
		// One file, before or after the flags.
		if err := fs.Parse(args); err != nil {
			return parseFlags(fs, args)
		}
		if rest := fs.Args(); len(rest) > 0 {
			file, args = rest[0], rest[1:]
		} else {
			args = nil
		}
	}
	if err := parseCommand(fs, c, args); err != nil {
		return err
	}
	if code == "" || (sub == "import" && file == "") {
		return errs.E(errs.Invalid, "calendar %s needs --jurisdiction CODE%s", sub, map[bool]string{true: " and a file", false: ""}[sub == "import"])
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
	var res admin.CalendarImport
	switch sub {
	case "list":
		vs, err := svc.Calendars(ctx, admin.Shell, code)
		if err != nil {
			return err
		}
		if asJSON {
			type row struct {
				Version  int64  `json:"version"`
				ID       string `json:"id"`
				Years    []int  `json:"years"`
				Source   string `json:"source"`
				Verified bool   `json:"verified"`
				Holidays int    `json:"holidays"`
				Created  string `json:"created_at"`
			}
			out := []row{}
			for _, v := range vs {
				out = append(out, row{v.Version, v.ID, v.Years, v.Source, v.Verified, len(v.Holidays), time.UnixMilli(v.CreatedAt).UTC().Format(time.RFC3339)})
			}
			return json.NewEncoder(e.stdout).Encode(out)
		}
		tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tYEARS\tHOLIDAYS\tVERIFIED\tSOURCE")
		for _, v := range vs {
			fmt.Fprintf(tw, "%d\t%v\t%d\t%t\t%s\n", v.Version, v.Years, len(v.Holidays), v.Verified, v.Source)
		}
		return tw.Flush()
	case "sample":
		if res, err = svc.LoadSample(ctx, admin.Shell, code); err != nil {
			if errs.Is(err, errs.Invalid) {
				return errs.E(errs.Invalid, "no sample calendar for this jurisdiction's country (samples: %s)", strings.Join(calendar.Countries(), ", "))
			}
			return err
		}
	default:
		data, err := os.ReadFile(file)
		if err != nil {
			return errs.E(errs.Invalid, "cannot read %s", file)
		}
		if source == "" {
			source = "iCalendar file " + file
		}
		if res, err = svc.ImportICS(ctx, admin.Shell, code, data, source); err != nil {
			return err
		}
	}
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(map[string]any{"jurisdiction": strings.ToUpper(code), "version": res.Version, "id": res.ID,
			"years": res.Years, "holidays": res.Holidays, "verified": res.Verified})
	}
	fmt.Fprintf(e.stdout, "calendar version %d of %s: %d holidays for %v (unverified until checked against the official gazette)\n",
		res.Version, strings.ToUpper(code), res.Holidays, res.Years)
	return nil
}
