package web

import (
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/directory"
	"github.com/haven-nrm/haven/internal/handover"
	"github.com/haven-nrm/haven/internal/prosecution"
	"github.com/haven-nrm/haven/internal/support"
)

// The casework pages and their refusals build keys from codes: every one
// must exist in English (the catalogue test then needs it in every
// language).
func TestCaseworkKeysExist(t *testing.T) {
	need := needKeys(t)
	l := caseFormLists
	for list, codes := range map[string][]string{"item": l.Items, "consent_purpose": l.Purposes, "service": l.Services, "level": l.Levels,
		"rating": l.Ratings, "plan_type": l.PlanTypes, "goal_status": l.GoalStatuses, "service_action": strs(support.Actions()), "handover_kind": l.HandoverKinds,
		"reject_reason": l.RejectReasons, "mdt_sector": l.Sectors, "task_kind": l.TaskKinds, "closure_reason": l.ClosureReasons,
		"override_reason": l.OverrideReasons, "handover_state": handover.States()} {
		for _, c := range codes {
			need("code." + list + "." + c)
		}
	}
	for _, fs := range l.Factors {
		for _, f := range fs {
			need("code.factor." + f)
		}
	}
	for _, s := range support.States() {
		need("code.service_state." + string(s))
	}
	for _, s := range casework.States {
		need("code.cw_state." + string(s))
	}
	cs, err := casework.DefaultCountries()
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range cs.Codes() {
		cfg, _ := cs.Lookup(code)
		for _, o := range cfg.ConclusiveOutcomes {
			need("code.cg_outcome." + o.Code)
		}
		for _, p := range cfg.RequiredConsultations(true) {
			need("code.party." + p)
		}
	}
	for prefix, codes := range map[string][]string{
		"casework.error.":   strs(casework.Codes),
		"support.error.":    strs(support.ErrorCodes()),
		"handover.error.":   handover.ErrorCodes(),
		"directory.error.":  append(strs(directory.ErrorCodes()), strs(directory.WarningCodes())...),
		"directory.reason.": strs(directory.Reasons()),
	} {
		for _, c := range codes {
			need(prefix + c)
		}
	}
	for _, s := range directory.Statuses() {
		need("directory.status." + strings.ReplaceAll(string(s), " ", "_"))
	}
	for _, u := range directory.CapacityUnits() {
		need("directory.unit." + string(u))
	}
	for _, cl := range prosecution.Codes() {
		for _, c := range cl.Codes {
			if cl.Name == "gender" {
				// Suspects' genders are the HTCDS codes the case page
				// already labels.
				need("code.gender." + c)
				continue
			}
			need(cl.Key(c))
		}
	}
	for _, k := range cases.AlertKinds() {
		need("notice." + k)
	}
	for _, op := range cases.DecisionOps() {
		need("decision.reason_of." + op)
	}
	for _, st := range casework.GuardianStatuses() {
		need("guardian.status." + string(st))
	}
	// Package cases refuses these fields itself; the other fields of the
	// prosecution commands are refused by package prosecution, with keys of
	// its own (checked above).
	nrmChecked := map[string]bool{"investigation": true, "investigation_version": true, "opened_on": true, "date": true,
		"custodial_months": true, "fine_amount": true, "ordered_amount": true, "paid_amount": true}
	for _, cmd := range caseCommands {
		for _, f := range cmd.Spec.Fields {
			if cmd.Section == "prosecution" && !nrmChecked[f] {
				continue
			}
			need("case.error.field." + f)
		}
	}
}
