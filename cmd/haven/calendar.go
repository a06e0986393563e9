package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/calendar"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// runCalendar keeps calendars of public holidays: import an iCalendar
// file, load Haven's sample for the country, or list the versions.
func runCalendar(ctx context.Context, e env, args []string) error {
	sub, args, fs, c, err := subcommand(e, "calendar", []string{"import", "sample", "list"}, args)
	if err != nil {
		return err
	}
	var code, source string
	var asJSON bool
	fs.StringVar(&code, "jurisdiction", "", "the jurisdiction's code")
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
	var file string
	if sub == "import" {
		fs.StringVar(&source, "source", "", "where the file comes from (default: the file's name)")
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
	db, _, svc, err := openAdmin(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	var res admin.CalendarImport
	switch sub {
	case "list":
		vs, err := svc.Calendars(ctx, admin.Shell, code)
		if err != nil {
			return err
		}
		type row struct {
			Version  int64  `json:"version"`
			ID       string `json:"id"`
			Years    []int  `json:"years"`
			Source   string `json:"source"`
			Verified bool   `json:"verified"`
			Holidays int    `json:"holidays"`
			Created  string `json:"created_at"`
		}
		return printList(e.stdout, asJSON, vs, func(v store.CalendarVersion) row {
			return row{v.Version, v.ID, v.Years, v.Source, v.Verified, len(v.Holidays), time.UnixMilli(v.CreatedAt).UTC().Format(time.RFC3339)}
		}, "VERSION\tYEARS\tHOLIDAYS\tVERIFIED\tSOURCE", func(v store.CalendarVersion) []any {
			return []any{v.Version, v.Years, len(v.Holidays), v.Verified, v.Source}
		})
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
