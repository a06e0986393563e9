package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/federation"
	"github.com/haven-nrm/haven/internal/services"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/trm"
	"github.com/haven-nrm/haven/internal/trmsvc"
)

// runPeer administers the peer instances of the Transnational Referral
// Mechanism (docs/TRM.md): add one after comparing its fingerprint out of
// band, list them, suspend, resume or remove one; rotate this instance's
// own key pair.
func runPeer(ctx context.Context, e env, args []string) error {
	sub, args, fs, c, err := subcommand(e, "peer", []string{"add", "list", "suspend", "resume", "remove", "rotate-key"}, args)
	if err != nil {
		return err
	}
	var baseURL, fingerprint, id, purposes, categories string
	var asJSON bool
	switch sub {
	case "add":
		fs.StringVar(&baseURL, "url", "", "the peer's base URL, e.g. https://haven.example.gov.np")
		fs.StringVar(&fingerprint, "fingerprint", "", "the fingerprint the peer's administrator read to you (words and digits)")
		fs.StringVar(&purposes, "purposes", "", "comma list of the purposes the agreement allows (default: all)")
		fs.StringVar(&categories, "categories", "", "comma list of the data categories the agreement allows (default: all)")
	case "list":
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	case "suspend", "resume", "remove":
		fs.StringVar(&id, "id", "", "the peer's instance id (haven peer list)")
	}
	if err := parseCommand(fs, c, args); err != nil {
		return err
	}
	if !c.TRM() {
		return errs.E(errs.Invalid, "the TRM is not enabled: set --country (HAVEN_COUNTRY) to the instance's ISO country code")
	}
	db, set, err := openFederated(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := set.TRM
	switch sub {
	case "add":
		if baseURL == "" {
			return errs.E(errs.Invalid, "--url is required")
		}
		doc, body, err := svc.FetchDocument(ctx, strings.TrimRight(baseURL, "/"))
		if err != nil {
			return err
		}
		fp := federation.Fingerprint(body.Instance, body.SignKey, body.KEMKey)
		fmt.Fprintf(e.stdout, "Peer:        %s (%s), %s\nInstance:    %s\nFingerprint: %s\n", body.Name, body.Country, body.Contact, body.Instance, fp)
		if fingerprint == "" {
			return errs.E(errs.Invalid, "compare this fingerprint with the peer's administrator by telephone or in person, then run again with --fingerprint")
		}
		a := trm.DefaultAgreement()
		if purposes != "" {
			a.Purposes = nil
			for _, p := range strings.Split(purposes, ",") {
				if _, err := trm.RuleFor(trm.Purpose(p)); err != nil {
					return errs.E(errs.Invalid, "unknown purpose %q", p)
				}
				a.Purposes = append(a.Purposes, trm.Purpose(p))
			}
		}
		if categories != "" {
			a.Categories = nil
			for _, x := range strings.Split(categories, ",") {
				a.Categories = append(a.Categories, trm.Category(x))
			}
		}
		if _, err := svc.AddPeer(ctx, audit.SystemActor, doc, fingerprint, a); err != nil {
			if errs.Is(err, errs.Invalid) {
				return errs.E(errs.Invalid, "the fingerprint does not match the peer's keys: nothing was added")
			}
			return err
		}
		fmt.Fprintf(e.stdout, "Added. The peer must add this instance too; read it this fingerprint:\n  %s\n", svc.Fingerprint())
		return nil
	case "rotate-key":
		old := svc.Fingerprint()
		fp, err := svc.RotateKey(ctx, audit.SystemActor)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "This instance has a new TRM key pair; the old one stays to open what was sealed to it.\n"+
			"Old fingerprint: %s\nNew fingerprint: %s\n"+
			"Restart haven serve to sign with the new key. Read the new fingerprint to each peer's administrator by\n"+
			"telephone or in person; they add this instance again (haven peer add). Until they do, they refuse what it sends.\n", old, fp)
		return nil
	case "list":
		ps, err := svc.Peers(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			type row struct {
				ID          string        `json:"id"`
				Country     string        `json:"country"`
				Name        string        `json:"name"`
				Contact     string        `json:"contact"`
				BaseURL     string        `json:"base_url"`
				Status      string        `json:"status"`
				Fingerprint string        `json:"fingerprint"`
				Agreement   trm.Agreement `json:"agreement"`
			}
			out := struct {
				Instance    string `json:"instance"`
				Country     string `json:"country"`
				Fingerprint string `json:"fingerprint"`
				Peers       []row  `json:"peers"`
			}{svc.ID.Instance, c.Country, svc.Fingerprint(), []row{}}
			for _, p := range ps {
				out.Peers = append(out.Peers, row{p.ID, p.Country, p.Name, p.Contact, p.BaseURL, p.Status, p.Fingerprint, p.Agreement})
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		}
		fmt.Fprintf(e.stdout, "This instance: %s (%s)\nFingerprint:   %s\n\n", svc.ID.Instance, c.Country, svc.Fingerprint())
		tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCOUNTRY\tNAME\tSTATUS\tURL\tFINGERPRINT")
		for _, p := range ps {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Country, p.Name, p.Status, p.BaseURL, p.Fingerprint)
		}
		return tw.Flush()
	default:
		if id == "" {
			return errs.E(errs.Invalid, "--id is required")
		}
		status := map[string]string{"suspend": trmsvc.PeerSuspended, "resume": trmsvc.PeerActive, "remove": trmsvc.PeerRemoved}[sub]
		if err := svc.SetPeerStatus(ctx, audit.SystemActor, id, status); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Peer %s is %s.\n", id, status)
		return nil
	}
}

// openFederated opens the instance with its federation identity and the
// services that use it; close the database when done.
func openFederated(ctx context.Context, c *config.Config) (*store.DB, *services.Set, error) {
	db, k, err := openInstance(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	fed, err := loadFederation(c)
	if err == nil {
		var set *services.Set
		if set, err = services.New(services.Options{Config: *c, DB: db, Keys: k.ring, Federation: fed}); err == nil {
			return db, set, nil
		}
	}
	db.Close()
	return nil, nil, err
}
