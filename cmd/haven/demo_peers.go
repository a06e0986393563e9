package main

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/demo"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/intake"
	"github.com/haven-nrm/haven/internal/referral"
	"github.com/haven-nrm/haven/internal/secretfile"
	"github.com/haven-nrm/haven/internal/services"
	"github.com/haven-nrm/haven/internal/trm"
	"github.com/haven-nrm/haven/internal/trmsvc"
)

// demoPeer is one of the two linked demo instances.
type demoPeer struct {
	country, lang, name string
}

var demoPeers = []demoPeer{{"NP", "ne", "Haven Nepal (demo)"}, {"TH", "th", "Haven Thailand (demo)"}}

// runDemoPeers starts two linked demo instances — Nepal and Thailand, each
// in its own language, data folder, keys and country — on two loopback
// ports, peered with each other, with one case already sent from
// Thailand to Nepal for return and reintegration.
func runDemoPeers(ctx context.Context, e env, base *config.Config, dir string, seed uint64, cases int, noServe bool) error {
	if base.IsPostgres() {
		return errs.E(errs.Invalid, "--peers runs two embedded databases; leave out --db")
	}
	host, port, err := net.SplitHostPort(base.Listen)
	if err != nil {
		return errs.E(errs.Invalid, "--listen: %v", err)
	}
	p0, err := strconv.Atoi(port)
	if err != nil {
		return errs.E(errs.Invalid, "--listen needs a port number")
	}
	cfgs := make([]*config.Config, len(demoPeers))
	for i, dp := range demoPeers {
		c := *base
		c.DataDir = filepath.Join(dir, strings.ToLower(dp.country))
		c.Listen = net.JoinHostPort(host, strconv.Itoa(p0+i))
		c.BaseURL = "http://" + c.Listen
		c.Country, c.TRMName, c.TRMContact, c.DefaultLanguage = dp.country, dp.name, "trm-focal-point@"+strings.ToLower(dp.country)+".example.org", dp.lang
		c.Demo, c.MFAOptional = true, true
		if err := c.EnsureDataDir(); err != nil {
			return err
		}
		if err := c.Validate(); err != nil {
			return errs.Wrap(errs.Invalid, err)
		}
		cfgs[i] = &c
		if err := demoInstance(ctx, e, &c, dp, seed, cases); err != nil {
			return err
		}
	}
	sets := make([]*services.Set, len(cfgs))
	for i, c := range cfgs {
		db, set, err := openFederated(ctx, c)
		if err != nil {
			return err
		}
		defer db.Close()
		sets[i] = set
	}
	// The two demo instances trust each other: in real life each
	// administrator compares the other's fingerprint out of band.
	for i, s := range sets {
		other := sets[1-i].TRM
		doc, err := other.Document()
		if err != nil {
			return err
		}
		if _, err := s.TRM.AddPeer(ctx, audit.SystemActor, doc, other.Fingerprint(), trm.DefaultAgreement()); err != nil {
			return err
		}
	}
	if err := demoCrossBorderCase(ctx, sets[1], sets[0].TRM.ID.Instance); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nTwo linked instances (synthetic data):\n")
	for i, c := range cfgs {
		fmt.Fprintf(e.stdout, "  %-24s http://%s/   data %s\n  %-24s fingerprint %s\n", demoPeers[i].name, c.Listen, c.DataDir, "", sets[i].TRM.Fingerprint())
	}
	fmt.Fprintf(e.stdout, "\nA Nepali woman identified in Thailand has been sent to Nepal for return and reintegration.\n"+
		"Sign in to Nepal as demo.competent_authority and open Cross-border (/trm) to accept it.\n")
	if noServe {
		return nil
	}
	errc := make(chan error, len(cfgs))
	for _, c := range cfgs {
		go func() { errc <- serve(ctx, e, c) }()
	}
	err = <-errc
	if err2 := <-errc; err == nil {
		err = err2
	}
	return err
}

// demoInstance migrates a fresh database and fills it with the demo data
// of one country.
func demoInstance(ctx context.Context, e env, c *config.Config, dp demoPeer, seed uint64, cases int) error {
	db, err := openDB(ctx, c, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if v, err := db.SchemaVersion(ctx); err != nil || v != 0 {
		if err != nil {
			return err
		}
		return errs.E(errs.Invalid, "the database %s is not empty; the demo needs a fresh one", db.String())
	}
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	k, err := loadKeys(c, true)
	if err != nil {
		return err
	}
	db.SetAuditSigner(k.signer)
	if err := recordAuditKey(ctx, db, k.signer); err != nil {
		return err
	}
	res, err := demo.Generate(ctx, db, demo.Options{Seed: seed, Cases: cases, Home: dp.country})
	if err != nil {
		return err
	}
	table := credentialTable(res.Credentials)
	fmt.Fprintf(e.stdout, "\n%s — accounts:\n", dp.name)
	e.stdout.Write(table)
	return secretfile.Replace(filepath.Join(c.DataDir, demoCredentialsFile), table)
}

// demoCrossBorderCase identifies a (synthetic) Nepali woman in Thailand,
// records her consent to return to Nepal and sends her case there.
func demoCrossBorderCase(ctx context.Context, th *services.Set, nepal string) error {
	db := th.TRM.DB
	fr, err := db.UserByUsername(ctx, "demo.first_responder")
	if err != nil {
		return err
	}
	ca, err := db.UserByUsername(ctx, "demo.competent_authority")
	if err != nil {
		return err
	}
	age := 24
	r := intake.Referral{Sector: "labour_inspection", Age: &age, Gender: "Feminine", Citizenship: "NP", Languages: []string{"ne"},
		Exploitation: "labour", Acts: []string{"recruitment"}, Means: []string{"deception"}, Purposes: []string{"forced_labour"},
		Consent: "given", ConsentLanguage: "ne",
		Identity: intake.Identity{GivenName: "Sita (synthetic)", FamilyName: "Demo", BirthDate: "2002-04-15", DocumentNumber: "PA0000001"}}
	out, err := th.Referrals.Submit(ctx, referral.By{UserID: fr.ID, AgencyID: fr.AgencyID, JurisdictionID: fr.JurisdictionID}, r, "")
	if err != nil {
		return err
	}
	p := access.Principal{UserID: ca.ID, Role: access.Role(ca.Role), AgencyID: ca.AgencyID, JurisdictionID: ca.JurisdictionID}
	caseID := out.Referral.CaseID
	if err := th.TRM.RecordStep(ctx, p, caseID, trmsvc.StepInput{SOP: string(trm.SOPIdentification), Step: "preliminary_identification"}); err != nil {
		return err
	}
	if err := th.TRM.RecordConsent(ctx, p, caseID, trmsvc.ConsentInput{Purpose: string(trm.PurposeReturn), Country: "NP", Given: true}); err != nil {
		return err
	}
	_, err = th.TRM.Send(ctx, p, caseID, trmsvc.SendInput{Peer: nepal, Purpose: string(trm.PurposeReturn)})
	return err
}
