package support

import (
	"strings"
	"testing"
	"time"
)

func TestLedgerRecordRefuses(t *testing.T) {
	base := mustRecord(t, Ledger{}, ConsentEvent{Purpose: PurposeShareWithAgency, Recipient: agencyB, Action: ConsentGiven, At: at(5)})
	ev := func(mod func(*ConsentEvent)) ConsentEvent {
		e := ConsentEvent{Purpose: PurposeShareWithAgency, Recipient: agencyB, Action: ConsentWithdrawn, By: worker, At: at(6), Language: "th"}
		mod(&e)
		return e
	}
	cases := []itemCase[ConsentEvent]{
		{"withdrawal", "consent: a withdrawal is a new event, recorded like consent", ev(func(*ConsentEvent) {}), ""},
		{"for a service", "consent: sharing may be consented for one service", ev(func(e *ConsentEvent) { e.Service = ServiceMedical }), ""},
		{"by a guardian", "consent: a child's guardian's consent is recorded as such (by_guardian)", ev(func(e *ConsentEvent) { e.ByGuardian = true }), ""},
		{"contact by phone", "consent: contact by phone needs no recipient",
			ev(func(e *ConsentEvent) { e.Purpose, e.Recipient = PurposeContactByPhone, "" }), ""},
		{"proceedings", "consent: taking part in proceedings is a purpose of its own",
			ev(func(e *ConsentEvent) { e.Purpose, e.Recipient = PurposeProceedings, "" }), ""},
		{"unknown purpose", "consent: four purposes only", ev(func(e *ConsentEvent) { e.Purpose = "marketing" }), CodeUnknownPurpose},
		{"unknown action", "consent: given or withdrawn only", ev(func(e *ConsentEvent) { e.Action = "maybe" }), CodeUnknownConsentAction},
		{"share to nobody", "consent: sharing names the receiving agency", ev(func(e *ConsentEvent) { e.Recipient = "" }), CodeAgencyRequired},
		{"unknown service", "consent: a service is a service code", ev(func(e *ConsentEvent) { e.Service = "spa" }), CodeUnknownService},
		{"recipient on contact", "consent: contact purposes have no recipient",
			ev(func(e *ConsentEvent) { e.Purpose = PurposeContactByMessage }), CodeRecipientNotAllowed},
		{"service on proceedings", "consent: proceedings have no service",
			ev(func(e *ConsentEvent) { e.Purpose, e.Recipient, e.Service = PurposeProceedings, "", ServiceLegalAid }), CodeRecipientNotAllowed},
		{"no user", "consent: every event names who recorded it", ev(func(e *ConsentEvent) { e.By = "" }), CodeActorRequired},
		{"no language", "consent: informed consent is asked in a language; it is recorded", ev(func(e *ConsentEvent) { e.Language = "" }), CodeLanguageRequired},
		{"bad language", "ISO 639: the language is a code", ev(func(e *ConsentEvent) { e.Language = "thai" }), CodeInvalidLanguage},
		{"future", "consent: no event dated in the future", ev(func(e *ConsentEvent) { e.At = at(8) }), CodeFutureDate},
		{"no time", "consent: every event has a time", ev(func(e *ConsentEvent) { e.At = time.Time{} }), CodeInvalidInput},
		{"out of order", "consent: an event cannot predate the latest about the same purpose and recipient",
			ev(func(e *ConsentEvent) { e.At = at(4) }), CodeOutOfOrder},
		{"earlier, other key", "consent: an earlier date is fine for another recipient",
			ev(func(e *ConsentEvent) { e.At, e.Recipient = at(4), agencyC }), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := base.Record(c.item, at(7))
			wantCode(t, c.rule, err, c.want)
			if err == nil && len(l.Events) != 2 {
				t.Errorf("%s: %d events", c.rule, len(l.Events))
			}
			if len(base.Events) != 1 {
				t.Errorf("consent: Record never changes its argument")
			}
		})
	}
}

// share is a sharing event for tests: recipient, optional service, action
// and hour.
func share(recipient string, s ServiceType, a ConsentAction, hour int) ConsentEvent {
	return ConsentEvent{Purpose: PurposeShareWithAgency, Recipient: recipient, Service: s, Action: a, At: at(hour)}
}

type query struct {
	purpose   Purpose
	recipient string
	service   ServiceType
	hour      int
	want      bool
}

func TestAllows(t *testing.T) {
	given, withdrawn := ConsentGiven, ConsentWithdrawn
	cases := []struct {
		name, rule string
		events     []ConsentEvent
		queries    []query
	}{
		{"no event", "consent: no consent recorded is no consent", nil,
			[]query{{PurposeShareWithAgency, agencyB, "", 1, false}, {PurposeContactByPhone, "", "", 1, false}}},
		{"given", "consent: consent given allows from its date on",
			[]ConsentEvent{share(agencyB, "", given, 2)},
			[]query{{PurposeShareWithAgency, agencyB, "", 1, false}, {PurposeShareWithAgency, agencyB, "", 2, true},
				{PurposeShareWithAgency, agencyC, "", 3, false}}},
		{"withdrawn", "consent: latest event wins; withdrawal blocks sharing",
			[]ConsentEvent{share(agencyB, "", given, 2), share(agencyB, "", withdrawn, 4)},
			[]query{{PurposeShareWithAgency, agencyB, "", 3, true}, {PurposeShareWithAgency, agencyB, "", 4, false},
				{PurposeShareWithAgency, agencyB, ServiceMedical, 5, false}}},
		{"given again", "consent: latest event wins; consent given again after a withdrawal allows again",
			[]ConsentEvent{share(agencyB, "", given, 2), share(agencyB, "", withdrawn, 4), share(agencyB, "", given, 6)},
			[]query{{PurposeShareWithAgency, agencyB, "", 5, false}, {PurposeShareWithAgency, agencyB, "", 6, true}}},
		{"same instant", "consent: of two events at the same time the one recorded last wins",
			[]ConsentEvent{share(agencyB, "", given, 2), share(agencyB, "", withdrawn, 2)},
			[]query{{PurposeShareWithAgency, agencyB, "", 2, false}}},
		{"agency covers services", "consent: consent to share with an agency covers every service it gives",
			[]ConsentEvent{share(agencyB, "", given, 2)},
			[]query{{PurposeShareWithAgency, agencyB, ServiceMedical, 3, true}, {PurposeShareWithAgency, agencyB, ServiceLegalAid, 3, true}}},
		{"service only", "consent: consent for one service covers that service only",
			[]ConsentEvent{share(agencyB, ServiceMedical, given, 2)},
			[]query{{PurposeShareWithAgency, agencyB, ServiceMedical, 3, true}, {PurposeShareWithAgency, agencyB, ServiceLegalAid, 3, false},
				{PurposeShareWithAgency, agencyB, "", 3, false}}},
		{"service withdrawn", "consent: latest event wins; a later withdrawal for one service blocks it and no other",
			[]ConsentEvent{share(agencyB, "", given, 2), share(agencyB, ServiceMedical, withdrawn, 3)},
			[]query{{PurposeShareWithAgency, agencyB, ServiceMedical, 4, false}, {PurposeShareWithAgency, agencyB, ServiceLegalAid, 4, true}}},
		{"agency withdrawn after service", "consent: latest event wins; a later withdrawal for the agency blocks every service",
			[]ConsentEvent{share(agencyB, ServiceMedical, given, 2), share(agencyB, "", withdrawn, 3)},
			[]query{{PurposeShareWithAgency, agencyB, ServiceMedical, 4, false}}},
		{"service given after agency withdrawn", "consent: latest event wins; consent for one service after a withdrawal allows that service",
			[]ConsentEvent{share(agencyB, "", withdrawn, 2), share(agencyB, ServiceMedical, given, 3)},
			[]query{{PurposeShareWithAgency, agencyB, ServiceMedical, 4, true}, {PurposeShareWithAgency, agencyB, ServiceLegalAid, 4, false}}},
		{"purposes apart", "consent: each purpose stands alone — consent to share is not consent to be called",
			[]ConsentEvent{share(agencyB, "", given, 2), {Purpose: PurposeContactByMessage, Action: given, At: at(2)}},
			[]query{{PurposeContactByPhone, "", "", 3, false}, {PurposeContactByMessage, "", "", 3, true}, {PurposeProceedings, "", "", 3, false}}},
		{"proceedings withdrawn", "consent: latest event wins for taking part in proceedings",
			[]ConsentEvent{{Purpose: PurposeProceedings, Action: given, At: at(1)}, {Purpose: PurposeProceedings, Action: withdrawn, At: at(2)}},
			[]query{{PurposeProceedings, "", "", 1, true}, {PurposeProceedings, "", "", 2, false}}},
		{"guardian", "consent: a guardian's consent is an event like any other, flagged by_guardian",
			[]ConsentEvent{{Purpose: PurposeContactByPhone, Action: given, At: at(1), ByGuardian: true}},
			[]query{{PurposeContactByPhone, "", "", 1, true}}},
		{"unknown purpose", "consent: an unknown purpose is never allowed",
			[]ConsentEvent{share(agencyB, "", given, 1)},
			[]query{{"anything", agencyB, "", 2, false}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var l Ledger
			for _, e := range c.events {
				l = mustRecord(t, l, e)
			}
			for _, q := range c.queries {
				if got := Allows(l, q.purpose, q.recipient, q.service, at(q.hour)); got != q.want {
					t.Errorf("%s: Allows(%s, %s, %q, +%dh) = %v", c.rule, q.purpose, q.recipient, q.service, q.hour, got)
				}
			}
		})
	}
	l := mustRecord(t, Ledger{}, ConsentEvent{Purpose: PurposeContactByPhone, Action: ConsentGiven, At: at(1), ByGuardian: true})
	if e, ok := Latest(l, PurposeContactByPhone, "", "", at(2)); !ok || !e.ByGuardian {
		t.Errorf("consent: the deciding event shows it was a guardian's")
	}
}

func TestCheckShare(t *testing.T) {
	good := Override{By: worker, Role: "case_worker", Reason: "danger_to_life", Justification: "Credible threat reported today."}
	ov := func(mod func(*Override)) *Override {
		o := good
		mod(&o)
		return &o
	}
	consented := []ConsentEvent{share(agencyB, "", ConsentGiven, 1)}
	withdrawn := []ConsentEvent{share(agencyB, "", ConsentGiven, 1), share(agencyB, "", ConsentWithdrawn, 2)}
	cases := []struct {
		name, rule string
		events     []ConsentEvent
		from, to   string
		service    ServiceType
		override   *Override
		want       ShareDecision
	}{
		{"same agency", "consent: within the owning agency no consent is needed",
			nil, agencyA, agencyA, "", nil, ShareDecision{Allowed: true, Code: CodeSameAgency, Consent: ConsentNone}},
		{"no consent", "consent: sharing outside the owning agency is blocked without consent",
			nil, agencyA, agencyB, "", nil, ShareDecision{Code: CodeNoConsent, Consent: ConsentNone}},
		{"consent", "consent: consent to share with the agency allows it",
			consented, agencyA, agencyB, ServiceShortTermShelter, nil, ShareDecision{Allowed: true, Code: CodeConsent, Consent: ConsentStateGiven}},
		{"other agency", "consent: consent names its recipient; another agency is not covered",
			consented, agencyA, agencyC, "", nil, ShareDecision{Code: CodeNoConsent, Consent: ConsentNone}},
		{"withdrawn", "consent: latest event wins; withdrawal blocks sharing",
			withdrawn, agencyA, agencyB, "", nil, ShareDecision{Code: CodeConsentWithdrawn, Consent: ConsentStateWithdrawn}},
		{"guardian's consent", "consent: a child's guardian's consent is reported as such",
			[]ConsentEvent{{Purpose: PurposeShareWithAgency, Recipient: agencyB, Action: ConsentGiven, At: at(1), ByGuardian: true}},
			agencyA, agencyB, "", nil, ShareDecision{Allowed: true, Code: CodeConsent, Consent: ConsentStateGiven, ByGuardian: true}},
		{"other purposes do not count", "consent: consent to take part in proceedings is not consent to share",
			[]ConsentEvent{{Purpose: PurposeProceedings, Action: ConsentGiven, At: at(1)}},
			agencyA, "agency-police", "", nil, ShareDecision{Code: CodeNoConsent, Consent: ConsentNone}},
		{"override without consent", "consent: an authorised override with a coded reason and justification shares, reported as an override",
			nil, agencyA, agencyB, "", &good, ShareDecision{Allowed: true, Code: CodeOverride, Override: true, Consent: ConsentNone}},
		{"override of a withdrawal", "consent: an override of a withdrawal is reported with the withdrawal",
			withdrawn, agencyA, agencyB, "", ov(func(o *Override) { o.Role, o.Reason = "competent_authority", "court_order" }),
			ShareDecision{Allowed: true, Code: CodeOverride, Override: true, Consent: ConsentStateWithdrawn}},
		{"override not needed", "consent: with consent an override is not used, and not reported as one",
			consented, agencyA, agencyB, "", &good, ShareDecision{Allowed: true, Code: CodeConsent, Consent: ConsentStateGiven}},
		{"override by another role", "consent: only an authorised role may override",
			nil, agencyA, agencyB, "", ov(func(o *Override) { o.Role = "police_investigator" }), ShareDecision{Code: CodeOverrideRole, Consent: ConsentNone}},
		{"override without reason", "consent: an override needs a coded reason",
			withdrawn, agencyA, agencyB, "", ov(func(o *Override) { o.Reason = "" }), ShareDecision{Code: CodeOverrideReason, Consent: ConsentStateWithdrawn}},
		{"override, free-text reason", "consent: an override's reason is a code",
			nil, agencyA, agencyB, "", ov(func(o *Override) { o.Reason = "they asked nicely" }), ShareDecision{Code: CodeOverrideReason, Consent: ConsentNone}},
		{"override without justification", "consent: an override needs a justification",
			nil, agencyA, agencyB, "", ov(func(o *Override) { o.Justification = " \n " }), ShareDecision{Code: CodeOverrideJustification, Consent: ConsentNone}},
		{"override, long justification", "consent: a justification is at most 500 characters",
			nil, agencyA, agencyB, "", ov(func(o *Override) { o.Justification = strings.Repeat("ก", MaxJustificationLen+1) }),
			ShareDecision{Code: CodeOverrideJustification, Consent: ConsentNone}},
		{"override, direction override", "consent: a justification holds no control or direction-override characters",
			nil, agencyA, agencyB, "", ov(func(o *Override) { o.Justification = "ok \u202e" }), ShareDecision{Code: CodeOverrideJustification, Consent: ConsentNone}},
		{"override by nobody", "consent: an override names its user",
			nil, agencyA, agencyB, "", ov(func(o *Override) { o.By = "" }), ShareDecision{Code: CodeActorRequired, Consent: ConsentNone}},
		{"empty override", "consent: an override must be explicit — an empty one is refused",
			nil, agencyA, agencyB, "", &Override{}, ShareDecision{Code: CodeActorRequired, Consent: ConsentNone}},
		{"service withdrawn, override", "consent: the withdrawal for one service is what the override overrides",
			[]ConsentEvent{share(agencyB, "", ConsentGiven, 1), share(agencyB, ServiceMedical, ConsentWithdrawn, 2)},
			agencyA, agencyB, ServiceMedical, &good, ShareDecision{Allowed: true, Code: CodeOverride, Override: true, Consent: ConsentStateWithdrawn}},
		{"no recipient", "consent: sharing names both agencies",
			consented, agencyA, "", "", &good, ShareDecision{Code: CodeAgencyRequired, Consent: ConsentNone}},
		{"unknown service", "consent: a service is a service code",
			consented, agencyA, agencyB, "spa", nil, ShareDecision{Code: CodeUnknownService, Consent: ConsentNone}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var l Ledger
			for _, e := range c.events {
				l = mustRecord(t, l, e)
			}
			if got := CheckShare(l, c.from, c.to, c.service, c.override); got != c.want {
				t.Errorf("%s:\n got %+v\nwant %+v", c.rule, got, c.want)
			}
		})
	}
}
