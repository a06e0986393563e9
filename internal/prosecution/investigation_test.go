package prosecution

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestOpen(t *testing.T) {
	cases := []struct {
		name, rule             string
		id, caseID, agency, by string
		openedAt, clock        time.Time
		want                   Code
		wantField              string
	}{
		{"valid", "OSCE NRM handbook (2022), pillar 4: the police open an investigation on a case", "inv-1", "case-1", police, officer, at(0), now, "", ""},
		{"opened earlier", "investigation: a past opening date may be entered", "inv-1", "case-1", police, officer, at(-72), now, "", ""},
		{"opened now", "investigation: opened at the clock's time", "inv-1", "case-1", police, officer, now, now, "", ""},
		{"no id", "investigation: an investigation has an id", "", "case-1", police, officer, at(0), now, CodeInvalidInput, "id"},
		{"id with space", "investigation: ids are opaque codes, never free text", "inv 1", "case-1", police, officer, at(0), now, CodeInvalidInput, "id"},
		{"no case", "investigation: linked to an NRM case", "inv-1", "", police, officer, at(0), now, CodeInvalidInput, "case_id"},
		{"no agency", "investigation: names the police agency that investigates", "inv-1", "case-1", "", officer, at(0), now, CodeAgencyRequired, "agency"},
		{"no user", "audit: every change names its user", "inv-1", "case-1", police, "", at(0), now, CodeActorRequired, "by"},
		{"bad user", "audit: user ids are opaque codes", "inv-1", "case-1", police, "Jane Doe", at(0), now, CodeInvalidInput, "by"},
		{"future", "dates: no date in the future", "inv-1", "case-1", police, officer, now.Add(time.Second), now, CodeFutureDate, "opened_at"},
		{"no date", "dates: an opening has a date", "inv-1", "case-1", police, officer, time.Time{}, now, CodeInvalidInput, "opened_at"},
		{"no clock", "purity: the time is passed in", "inv-1", "case-1", police, officer, at(0), time.Time{}, CodeInvalidInput, "now"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv, err := Open(c.id, c.caseID, c.agency, c.openedAt, c.by, c.clock)
			wantCode(t, c.rule, err, c.want)
			if err != nil {
				if e := err.(*Error); e.Field != c.wantField {
					t.Errorf("%s: field %q, want %q", c.rule, e.Field, c.wantField)
				}
				return
			}
			want := Investigation{ID: c.id, CaseID: c.caseID, Agency: c.agency, OpenedAt: c.openedAt, OpenedBy: c.by,
				Status: StatusOpen, UpdatedAt: c.clock, UpdatedBy: c.by, Version: 1}
			if !reflect.DeepEqual(inv, want) {
				t.Errorf("%s: got %+v, want %+v", c.rule, inv, want)
			}
		})
	}
}

func TestAddSuspect(t *testing.T) {
	inv := withSuspect(t, opened(t), "s1")
	mod := func(f func(*Suspect)) Suspect { s := suspect("s2"); f(&s); return s }
	runItemCases(t, []itemCase[Suspect]{
		{"valid", "suspects: a recruiter (Palermo Protocol art. 3(a): recruitment)", mod(func(*Suspect) {}), ""},
		{"every role", "suspects: the exploiter (Palermo Protocol art. 3(a): purpose of exploitation)", mod(func(s *Suspect) { s.ChainRole = RoleExploiter }), ""},
		{"financier", "suspects: those who finance the chain (UNTOC art. 6: laundering of proceeds)", mod(func(s *Suspect) { s.ChainRole = RoleFinancier }), ""},
		{"unknown role", "suspects: roles come from the chain-role list", mod(func(s *Suspect) { s.ChainRole = "boss" }), CodeUnknownChainRole},
		{"no role", "suspects: a role is required", mod(func(s *Suspect) { s.ChainRole = "" }), CodeUnknownChainRole},
		{"HTCDS gender", "HTCDS 2.0 field prs_Gender: Feminine", mod(func(s *Suspect) { s.Gender = "Feminine" }), ""},
		{"HTCDS unknown gender", "HTCDS 2.0 field prs_Gender: NonSpecifiedUnknown", mod(func(s *Suspect) { s.Gender = "NonSpecifiedUnknown" }), ""},
		{"not an HTCDS gender", "HTCDS 2.0 field prs_Gender: values of the standard only", mod(func(s *Suspect) { s.Gender = "Female" }), CodeUnknownGender},
		{"no gender", "HTCDS 2.0 field prs_Gender: NonSpecifiedUnknown, not empty, when not known", mod(func(s *Suspect) { s.Gender = "" }), CodeUnknownGender},
		{"legal person", "CoE Convention art. 22; Directive 2011/36/EU art. 5: legal persons are liable",
			mod(func(s *Suspect) { s.Nature, s.Gender, s.ChainRole = NatureLegalPerson, "", RoleFacilitator }), ""},
		{"legal person with gender", "CoE Convention art. 22: a legal person has no gender",
			mod(func(s *Suspect) { s.Nature = NatureLegalPerson }), CodeGenderNotApplicable},
		{"unknown nature", "suspects: an individual or a legal person", mod(func(s *Suspect) { s.Nature = "trust" }), CodeUnknownNature},
		{"unknown citizenship", "CTDC citizenship: may be unknown", mod(func(s *Suspect) { s.Citizenship = "" }), ""},
		{"Kosovo", "ISO 3166-1 alpha-2 (XK, as used by the EU and the TRM-SEE)", mod(func(s *Suspect) { s.Citizenship = "XK" }), ""},
		{"lower-case country", "ISO 3166-1 alpha-2 is upper case", mod(func(s *Suspect) { s.Citizenship = "np" }), CodeInvalidCountry},
		{"reserved country", "ISO 3166-1 alpha-2: UK is reserved, GB is assigned", mod(func(s *Suspect) { s.Citizenship = "UK" }), CodeInvalidCountry},
		{"alpha-3 country", "ISO 3166-1 alpha-2, not alpha-3", mod(func(s *Suspect) { s.Citizenship = "NPL" }), CodeInvalidCountry},
		{"no sealed ref", "privacy: the sealed identity is optional", mod(func(s *Suspect) { s.SealedRef = "" }), ""},
		{"name as sealed ref", "privacy: a name is never a reference", mod(func(s *Suspect) { s.SealedRef = "Bat Erdene" }), CodeInvalidInput},
		{"no id", "suspects: a suspect has an id", mod(func(s *Suspect) { s.ID = "" }), CodeInvalidInput},
		{"duplicate id", "suspects: ids are unique in an investigation", mod(func(s *Suspect) { s.ID = "s1" }), CodeDuplicateID},
	}, func(x Suspect) (Investigation, error) {
		return AddSuspect(inv, inv.Version, x, officer, now)
	}, func(t *testing.T, c itemCase[Suspect], out Investigation) {
		want := c.item
		want.AddedBy, want.AddedAt = officer, now
		if got, _ := out.Suspect(c.item.ID); got != want || len(out.Suspects) != 2 || out.Version != inv.Version+1 {
			t.Errorf("%s: got %+v (version %d)", c.rule, got, out.Version)
		}
	})
}

func TestSuspectsAreNeverNamed(t *testing.T) {
	rule := "data minimisation (Directive (EU) 2016/680 art. 4(1)(c)): no name or contact field for a suspect; the caller seals identities elsewhere"
	for f := range reflect.TypeFor[Suspect]().Fields() {
		n := strings.ToLower(f.Name)
		for _, w := range []string{"name", "birth", "address", "phone", "email", "passport", "alias"} {
			if strings.Contains(n, w) {
				t.Errorf("%s: Suspect.%s", rule, f.Name)
			}
		}
	}
}

func TestAddCharge(t *testing.T) {
	inv := withCharge(t, withSuspect(t, opened(t), "s1"), "c1", "s1", OffenceTrafficking)
	mod := func(f func(*Charge)) Charge {
		c := Charge{ID: "c2", SuspectID: "s1", Provision: "mn_cc2002_art124", Offence: OffencePimping}
		f(&c)
		return c
	}
	runItemCases(t, []itemCase[Charge]{
		{"substitute offence", "seed ch. 4.2: Mongolia's Criminal Code art. 124 (brothels) used for sex trafficking", mod(func(*Charge) {}), ""},
		{"trafficking", "Palermo Protocol art. 5: trafficking is a criminal offence", mod(func(c *Charge) { c.Offence = OffenceTrafficking }), ""},
		{"unknown offence", "statistics: offences come from the category list", mod(func(c *Charge) { c.Offence = "theft" }), CodeUnknownOffence},
		{"no offence", "statistics: every charge has a category", mod(func(c *Charge) { c.Offence = "" }), CodeUnknownOffence},
		{"unknown suspect", "charges: a charge is against a suspect of the investigation", mod(func(c *Charge) { c.SuspectID = "s9" }), CodeUnknownSuspect},
		{"no provision", "charges: the provision code is optional", mod(func(c *Charge) { c.Provision = "" }), ""},
		{"provision text", "charges: the provision is a code", mod(func(c *Charge) { c.Provision = "art 124" }), CodeInvalidInput},
		{"no id", "charges: a charge has an id", mod(func(c *Charge) { c.ID = "" }), CodeInvalidInput},
		{"duplicate id", "charges: ids are unique in an investigation", mod(func(c *Charge) { c.ID = "c1" }), CodeDuplicateID},
	}, func(x Charge) (Investigation, error) {
		return AddCharge(inv, inv.Version, x, officer, now)
	}, func(t *testing.T, c itemCase[Charge], out Investigation) {
		want := c.item
		want.AddedBy, want.AddedAt = officer, now
		if got, _ := out.Charge(c.item.ID); got != want || out.ChargeStatus(c.item.ID).Stage != StageInvestigation {
			t.Errorf("%s: got %+v, stage %s", c.rule, got, out.ChargeStatus(c.item.ID).Stage)
		}
	})
}

func TestReferToProsecution(t *testing.T) {
	inv := opened(t)
	out, err := ReferToProsecution(inv, inv.Version, officer, at(1))
	wantCode(t, "investigation: the police refer the file to the prosecution service", err, "")
	if out.Status != StatusReferredToProsecution || !out.ReferredAt.Equal(at(1)) {
		t.Errorf("investigation: referred at at(1): %+v", out)
	}
	_, err = ReferToProsecution(out, out.Version, officer, at(2))
	wantCode(t, "investigation: a file is referred once", err, CodeOutOfOrder)

	// A charge brought refers the file.
	c := charged(t)
	if c.Status != StatusReferredToProsecution || !c.ReferredAt.Equal(at(2)) {
		t.Errorf("investigation: a charge brought refers an open investigation: %s %v", c.Status, c.ReferredAt)
	}
	_, err = ReferToProsecution(c, c.Version, officer, now)
	wantCode(t, "investigation: a charged case is already referred", err, CodeOutOfOrder)
	// A second charge brought keeps the first referral date.
	c = withCharge(t, c, "c2", "s1", OffenceMoneyLaundering)
	c = withStep(t, c, "p9", "c2", StageCharged, "", at(7))
	if !c.ReferredAt.Equal(at(2)) {
		t.Errorf("investigation: the referral date is the first charge's")
	}
}

func TestClose(t *testing.T) {
	verdict := func(o Outcome) func(t testing.TB) Investigation {
		return func(t testing.TB) Investigation { return withStep(t, charged(t), "pv", "c1", StageVerdict, o, at(3)) }
	}
	runBuiltCases(t, []builtCase[InvestigationStatus]{
		{"no charges, no action", "investigation: closed without action", opened, StatusClosedNoAction, ""},
		{"charge not brought, no action", "investigation: charges never brought do not count as a prosecution",
			func(t testing.TB) Investigation { return base(t) }, StatusClosedNoAction, ""},
		{"charge not brought, prosecuted", "investigation: no charge brought is no prosecution",
			func(t testing.TB) Investigation { return base(t) }, StatusClosedProsecuted, CodeNoProsecution},
		{"charged, pending", "proceedings: not closed while a charge is before a court",
			func(t testing.TB) Investigation { return charged(t) }, StatusClosedProsecuted, CodeProceedingsPending},
		{"at trial, pending", "proceedings: not closed during the trial",
			func(t testing.TB) Investigation { return withStep(t, charged(t), "pt", "c1", StageTrial, "", at(3)) }, StatusClosedProsecuted, CodeProceedingsPending},
		{"convicted", "investigation: closed after the verdict", func(t testing.TB) Investigation { return convicted(t) }, StatusClosedProsecuted, ""},
		{"acquitted", "investigation: an acquittal is a prosecution too", verdict(OutcomeAcquitted), StatusClosedProsecuted, ""},
		{"withdrawn", "investigation: a withdrawn charge was brought", verdict(OutcomeWithdrawn), StatusClosedProsecuted, ""},
		{"prosecuted, no action", "investigation: a case prosecuted is not closed without action", verdict(OutcomeDismissed), StatusClosedNoAction, CodeProsecutionBrought},
		{"appeal pending", "proceedings: not closed while an appeal is pending",
			func(t testing.TB) Investigation { return withStep(t, convicted(t), "pa", "c1", StageAppeal, "", at(6)) }, StatusClosedProsecuted, CodeProceedingsPending},
		{"appeal decided", "proceedings: closed once the appeal is decided",
			func(t testing.TB) Investigation {
				return withStep(t, withStep(t, convicted(t), "pa", "c1", StageAppeal, "", at(6)), "pd", "c1", StageAppeal, OutcomeConvicted, at(7))
			}, StatusClosedProsecuted, ""},
		{"open status", "investigation: Close takes a closing status", opened, StatusOpen, CodeNotAClosingStatus},
		{"referred status", "investigation: Close takes a closing status", opened, StatusReferredToProsecution, CodeNotAClosingStatus},
		{"unknown status", "investigation: statuses come from the list", opened, "archived", CodeUnknownStatus},
	}, func(inv Investigation, x InvestigationStatus) (Investigation, error) {
		return Close(inv, inv.Version, x, officer, now)
	}, func(t *testing.T, c builtCase[InvestigationStatus], _, out Investigation) {
		if out.Status != c.item || !out.ClosedAt.Equal(now) || out.ClosedBy != officer {
			t.Errorf("%s: %+v", c.rule, out)
		}
	})
}

// TestEveryOperationChecks runs every operation on a stale copy, on a
// closed investigation, with no user and with no clock.
func TestEveryOperationChecks(t *testing.T) {
	type op func(inv Investigation, v int64, by string, now time.Time) (Investigation, error)
	ops := map[string]op{
		"AddSuspect": func(inv Investigation, v int64, by string, n time.Time) (Investigation, error) {
			return AddSuspect(inv, v, suspect("s9"), by, n)
		},
		"AddCharge": func(inv Investigation, v int64, by string, n time.Time) (Investigation, error) {
			return AddCharge(inv, v, Charge{ID: "c9", SuspectID: "s1", Offence: OffenceTrafficking}, by, n)
		},
		"RecordProceeding": func(inv Investigation, v int64, by string, n time.Time) (Investigation, error) {
			return RecordProceeding(inv, v, Proceeding{ID: "p9", ChargeID: "c1", Stage: StageAppeal, At: at(8)}, by, n)
		},
		"RecordSentence": func(inv Investigation, v int64, by string, n time.Time) (Investigation, error) {
			return RecordSentence(inv, v, Sentence{ID: "x9", ChargeID: "c1", CustodialMonths: 60, At: at(8)}, by, n)
		},
		"RecordCompensation": func(inv Investigation, v int64, by string, n time.Time) (Investigation, error) {
			return RecordCompensation(inv, v, Compensation{ID: "k9", ChargeID: "c1", Ordered: Money{5000, "MNT"}, State: CompensationOrdered, At: at(8)}, by, n)
		},
		"RecordParticipation": func(inv Investigation, v int64, by string, n time.Time) (Investigation, error) {
			return RecordParticipation(inv, v, Participation{Willing: WillingUndecided, At: at(8), Language: "mn"}, false, by, n)
		},
		"RaiseNonPunishment": func(inv Investigation, v int64, by string, n time.Time) (Investigation, error) {
			return RaiseNonPunishment(inv, v, NonPunishmentFlag{Raised: true, OffenceCategory: NPImmigration, At: at(8)}, by, n)
		},
		"ReferToProsecution": func(inv Investigation, v int64, by string, n time.Time) (Investigation, error) {
			return ReferToProsecution(inv, v, by, n)
		},
		"Close": func(inv Investigation, v int64, by string, n time.Time) (Investigation, error) {
			return Close(inv, v, StatusClosedNoAction, by, n)
		},
	}
	// open: a convicted charge, referred; every operation applies to it.
	open := convicted(t)
	closed := must(t)(Close(convicted(t), convicted(t).Version, StatusClosedProsecuted, officer, now))
	for name, f := range ops {
		t.Run(name, func(t *testing.T) {
			_, err := f(open, open.Version-1, officer, now)
			wantCode(t, "optimistic versioning: a change on a stale copy is refused", err, CodeStaleVersion)
			_, err = f(open, open.Version+1, officer, now)
			wantCode(t, "optimistic versioning: a version from the future is refused", err, CodeStaleVersion)
			_, err = f(open, open.Version, "", now)
			wantCode(t, "audit: every change names its user", err, CodeActorRequired)
			_, err = f(open, open.Version, "a user", now)
			wantCode(t, "audit: user ids are opaque codes", err, CodeInvalidInput)
			_, err = f(open, open.Version, officer, time.Time{})
			wantCode(t, "purity: the time is passed in", err, CodeInvalidInput)
			_, err = f(closed, closed.Version, officer, now)
			if name == "RecordCompensation" {
				wantCode(t, "CoE Convention art. 15(3): compensation is followed after the case closes", err, "")
			} else {
				wantCode(t, "investigation: a closed investigation changes no more", err, CodeInvestigationClosed)
			}
			_, err = f(closed, closed.Version-1, officer, now)
			wantCode(t, "optimistic versioning: checked first, even when closed", err, CodeStaleVersion)
		})
	}
}

// TestOperationsNeverChangeArgument applies every operation to a full
// investigation and checks its argument is unchanged, nested slices
// included.
func TestOperationsNeverChangeArgument(t *testing.T) {
	inv := ordered(t)
	inv = must(t)(RecordParticipation(inv, inv.Version, Participation{Willing: WillingYes, At: at(6), Language: "ne",
		ProtectionMeasures: []ProtectionMeasure{MeasureVideoLink}}, true, officer, now))
	inv = must(t)(RaiseNonPunishment(inv, inv.Version, NonPunishmentFlag{Raised: true, OffenceCategory: NPDocumentFraud, At: at(6)}, officer, now))
	inv = must(t)(RecordSentence(inv, inv.Version, Sentence{ID: "x1", ChargeID: "c1", CustodialMonths: 96, At: at(5)}, prosecutor, now))
	snapshot, _ := json.Marshal(inv)
	before := inv.clone()
	v := inv.Version
	results := []Investigation{
		must(t)(AddSuspect(inv, v, suspect("s2"), officer, now)),
		must(t)(AddCharge(inv, v, Charge{ID: "c2", SuspectID: "s1", Offence: OffenceKidnapping}, officer, now)),
		must(t)(RecordProceeding(inv, v, Proceeding{ID: "p9", ChargeID: "c1", Stage: StageAppeal, At: at(7)}, prosecutor, now)),
		must(t)(RecordSentence(inv, v, Sentence{ID: "x2", ChargeID: "c1", CustodialMonths: 120, At: at(7)}, prosecutor, now)),
		must(t)(RecordCompensation(inv, v, Compensation{ID: "k1", ChargeID: "c1", Ordered: Money{100000, "NPR"}, Paid: 100000, State: CompensationPaid, At: at(7)}, prosecutor, now)),
		must(t)(RecordCompensation(inv, v, Compensation{ID: "k2", ChargeID: "c1", Ordered: Money{500, "USD"}, State: CompensationOrdered, At: at(7)}, prosecutor, now)),
		must(t)(RecordParticipation(inv, v, Participation{Willing: WillingNo, At: at(7), Language: "ne", ProtectionMeasures: []ProtectionMeasure{MeasureAnonymity}}, false, officer, now)),
		must(t)(RaiseNonPunishment(inv, v, NonPunishmentFlag{At: at(7)}, officer, now)),
		must(t)(Close(inv, v, StatusClosedProsecuted, officer, now)),
	}
	if after, _ := json.Marshal(inv); string(after) != string(snapshot) || !reflect.DeepEqual(before, inv) {
		t.Fatalf("purity: an operation changed its argument")
	}
	for i, r := range results {
		if r.Version != v+1 {
			t.Errorf("optimistic versioning: result %d at version %d, want %d", i, r.Version, v+1)
		}
		// Appending to a result never shows in another.
		r.Participation[0].ProtectionMeasures[0] = MeasureClosedHearing
	}
	if !reflect.DeepEqual(before, inv) {
		t.Fatalf("purity: a result shares its slices with the argument")
	}
}

func TestJSON(t *testing.T) {
	inv := ordered(t)
	inv = must(t)(RecordParticipation(inv, inv.Version, Participation{Willing: WillingYes, At: at(6), Language: "ne",
		ProtectionMeasures: []ProtectionMeasure{MeasureVideoLink, MeasureSupportPerson}}, true, officer, now))
	inv = must(t)(RaiseNonPunishment(inv, inv.Version, NonPunishmentFlag{Raised: true, OffenceCategory: NPImmigration, Linked: true, At: at(6)}, officer, now))
	inv = must(t)(RecordSentence(inv, inv.Version, Sentence{ID: "x1", ChargeID: "c1", CustodialMonths: 96, Fine: Money{50000, "NPR"}, At: at(5)}, prosecutor, now))
	b, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	var back Investigation
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, inv) {
		t.Errorf("JSON: a round trip changes the investigation:\n%s", b)
	}
	// Every key is lower_snake.
	var keys func(v any)
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	keys = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if !snake.MatchString(k) {
					t.Errorf("JSON: key %q is not lower_snake", k)
				}
				keys(e)
			}
		case []any:
			for _, e := range x {
				keys(e)
			}
		}
	}
	var generic any
	_ = json.Unmarshal(b, &generic)
	keys(generic)
}
