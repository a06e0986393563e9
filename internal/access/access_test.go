package access

import "testing"

// TestParticipantAccess checks the rules for agencies working together
// (docs/SECURITY.md, "Agencies working together"): an agency offered a
// case sees its coded summary and answers; an agency working on it with
// the person's consent reaches the actions that admit participants; an
// agency with no part in it reaches nothing; the decisions of the
// competent authority never pass to participants.
func TestParticipantAccess(t *testing.T) {
	worker := Principal{UserID: "u", Role: CaseWorker, AgencyID: "other", JurisdictionID: "j"}
	police := Principal{UserID: "p", Role: PoliceInvestigator, AgencyID: "other", JurisdictionID: "j"}
	owner := Resource{AgencyID: "owner", JurisdictionID: "j"}
	offered, part := owner, owner
	offered.Offered, part.Participant = true, true
	rows := []struct {
		rule   string
		a      Action
		p      Principal
		r      Resource
		allow  bool
		reason string
	}{
		{"no part in the case: nothing", ViewCaseSummary, worker, owner, false, "scope"},
		{"offered: the coded summary, to decide", ViewCaseSummary, worker, offered, true, "offered"},
		{"offered: may answer", RespondHandover, worker, offered, true, "offered"},
		{"offered: no identifying data before accepting", ViewCaseIdentity, worker, offered, false, "scope"},
		{"offered: no support records", RecordSupport, worker, offered, false, "scope"},
		{"participant with consent: identity", ViewCaseIdentity, worker, part, true, "participant"},
		{"participant: support records", RecordSupport, worker, part, true, "participant"},
		{"participant: service actions", ActOnService, worker, part, true, "participant"},
		{"participant: tasks", ManageTasks, worker, part, true, "participant"},
		{"participant: conferences", HoldConference, worker, part, true, "participant"},
		{"participant police: prosecution records", RecordProsecution, police, part, true, "participant"},
		{"participant: never the authority's decisions", DecideCase, worker, part, false, "role"},
		{"participant: may not pass the case on", HandOver, worker, part, false, "scope"},
		{"participant: may not offer services (the owner does)", OfferService, worker, part, false, "scope"},
		{"participant: may not override consent", OverrideConsent, worker, part, false, "scope"},
		{"participant: may not close the case", CloseCase, worker, part, false, "scope"},
		{"role still counts for participants", RecordProsecution, worker, part, false, "role"},
	}
	for _, r := range rows {
		t.Run(r.rule, func(t *testing.T) {
			d := Decide(r.a, r.p, r.r)
			if d.Allow != r.allow || d.Reason != r.reason {
				t.Errorf("Decide(%s) = %v %s, want %v %s", r.a, d.Allow, d.Reason, r.allow, r.reason)
			}
		})
	}
	// Every action's rule: a participant or offered flag reaches only
	// actions whose rule admits it.
	for a, ru := range policy {
		if ru.scope != agencyScope {
			continue
		}
		for _, p := range []Principal{worker, police} {
			if ru.roles != nil && !contains(ru.roles, p.Role) {
				continue
			}
			if got := Decide(a, p, part).Allow; got != ru.participants {
				t.Errorf("%s as %s, participant: %v, rule says %v", a, p.Role, got, ru.participants)
			}
			if got := Decide(a, p, offered).Allow; got != ru.offered {
				t.Errorf("%s as %s, offered: %v, rule says %v", a, p.Role, got, ru.offered)
			}
		}
	}
}

func contains(rs []Role, r Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// TestBreakGlassIsReadOnly checks issue 10 point 6 at the decision point:
// a break-glass grant opens only the reads of grantReads, and no other
// action of the policy, whatever its rule, for any role.
func TestBreakGlassIsReadOnly(t *testing.T) {
	glass := Resource{AgencyID: "owner", JurisdictionID: "elsewhere", BreakGlass: true}
	reads := 0
	for a := range policy {
		for _, role := range Roles {
			p := Principal{UserID: "u", Role: role, AgencyID: "outsider", JurisdictionID: "here"}
			d := Decide(a, p, glass)
			if d.Reason == "break_glass" && !grantReads[a] {
				t.Errorf("%s as %s: allowed by a grant, but it is not a read", a, role)
			}
			if d.Reason == "break_glass" {
				reads++
			}
		}
	}
	for _, a := range []Action{HandOver, RespondHandover, RecordSupport, OverrideConsent, CloseCase, ManageTasks,
		RecordProsecution, DecideCase, ReviewNegative, OfferService, ActOnService, HoldConference, ViewDuplicates, ViewSafeAddress} {
		p := Principal{UserID: "u", Role: CompetentAuthority, AgencyID: "outsider", JurisdictionID: "here"}
		if d := Decide(a, p, glass); d.Allow {
			t.Errorf("%s under a grant: allowed (%s)", a, d.Reason)
		}
	}
	if reads == 0 {
		t.Fatal("a grant opens nothing: the reads of grantReads should pass")
	}
}

// TestContributorAccess: a partner invited to an action-plan activity
// (docs/LOCALGOV.md, "Partners") records progress on that activity
// whatever its role and agency, and on nothing else: the same activity
// without the invitation, another agency's plan, the plan itself and
// the local government's records stay closed; the local government's
// own officers invite partners to their agency's activities only; a
// grant never opens contributions.
func TestContributorAccess(t *testing.T) {
	partner := Principal{UserID: "n", Role: CaseWorker, AgencyID: "ngo", JurisdictionID: "j"}
	officer := Principal{UserID: "o", Role: LocalGovOfficer, AgencyID: "city", JurisdictionID: "j"}
	item := Resource{AgencyID: "city", JurisdictionID: "j"}
	invited := item
	invited.Contributor = true
	glass := item
	glass.BreakGlass = true
	for _, c := range []struct {
		rule string
		a    Action
		p    Principal
		r    Resource
		want bool
	}{
		{"an invited partner records progress", ContributeToActivity, partner, invited, true},
		{"not on an activity it was not invited to", ContributeToActivity, partner, item, false},
		{"not under a break-glass grant", ContributeToActivity, partner, glass, false},
		{"nor through the officer's progress action", UpdatePlanItem, partner, invited, false},
		{"nor the plan or records", ViewLocalGov, partner, invited, false},
		{"nor manage them", ManageLocalGov, partner, invited, false},
		{"the officer is no contributor by being an officer", ContributeToActivity, officer, item, false},
		{"the officer invites to its agency's activity", InvitePartner, officer, item, true},
		{"not to another agency's", InvitePartner, officer, Resource{AgencyID: "other", JurisdictionID: "j"}, false},
		{"a partner invites no one", InvitePartner, partner, invited, false},
		{"one's own list of invitations", ViewContributions, partner, Resource{OwnerUserID: "n"}, true},
		{"not another's", ViewContributions, partner, Resource{OwnerUserID: "x"}, false},
		{"anonymous: nothing", ContributeToActivity, Principal{}, invited, false},
	} {
		if got := Decide(c.a, c.p, c.r).Allow; got != c.want {
			t.Errorf("%s: %s as %s: %v, want %v", c.rule, c.a, c.p.Role, got, c.want)
		}
	}
}
