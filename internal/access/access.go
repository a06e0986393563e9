// Package access decides every access in Haven with one function, Decide.
// Deny is the default: an action absent from the policy table, an unknown
// role, or a resource outside the principal's scope is refused. Handlers name
// the action of each route in the route table, and a test walks every route
// against every role so that no route can go without a decision.
package access

import "slices"

// Role is what a user does in the referral mechanism.
type Role string

// The roles. The set follows who takes part in a national referral
// mechanism: first responders refer, the competent authority decides,
// agencies protect and support, police and prosecutors pursue, analysts see
// aggregates only.
const (
	FirstResponder     Role = "first_responder"
	CaseWorker         Role = "case_worker"
	CompetentAuthority Role = "competent_authority"
	PoliceInvestigator Role = "police_investigator"
	Prosecutor         Role = "prosecutor"
	ShelterStaff       Role = "shelter_staff"
	ServiceProvider    Role = "service_provider"
	Analyst            Role = "analyst"
	AgencyAdmin        Role = "agency_admin"
	SystemAdmin        Role = "system_admin"
	// LocalGovOfficer records and plans a local government's own
	// anti-trafficking work (prevention, partnerships, its action plan,
	// its 3P self-assessment, CityShare); never a case.
	LocalGovOfficer Role = "local_government_officer"
)

// Roles lists every role in display order.
var Roles = []Role{FirstResponder, CaseWorker, CompetentAuthority, PoliceInvestigator, Prosecutor,
	ShelterStaff, ServiceProvider, Analyst, AgencyAdmin, SystemAdmin, LocalGovOfficer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Principal is who is acting: a user with a role in an agency of a
// jurisdiction. The zero Principal is anonymous.
type Principal struct {
	UserID         string
	Role           Role
	AgencyID       string
	JurisdictionID string
}

// Anonymous reports whether no one is signed in.
func (p Principal) Anonymous() bool { return p.UserID == "" }

// Resource is what an action is on. The zero Resource means "no particular
// record" (a page, a list scoped by the caller, a tool).
type Resource struct {
	AgencyID       string
	JurisdictionID string
	// OwnerUserID is set for records that belong to one user (tokens,
	// sessions).
	OwnerUserID string
	// BreakGlass is true when the principal holds a live break-glass grant
	// for this record: it was opened outside scope with a stated reason.
	// A grant only ever opens the actions of grantReads: it reads a
	// record, it never changes one.
	BreakGlass bool
	// Participant is true when the principal's agency works on the case
	// (an accepted referral, or a service the person accepted) and the
	// person's consent, or a recorded override, lets their data go there.
	Participant bool
	// Offered is true when the principal's agency has been offered the
	// case (a transfer or a referral) and has not yet answered.
	Offered bool
	// Contributor is true when the principal was invited to contribute
	// to this action-plan activity (a local government's partner).
	Contributor bool
	// ChildProtection is true when the case is a child's and the
	// principal's agency is the child-protection office of the case's
	// jurisdiction, notified at referral to appoint the child's guardian.
	ChildProtection bool
}

// Action names what is being done.
type Action string

// The actions known today.
const (
	Public            Action = "public"             // no sign-in needed
	ViewHome          Action = "home.view"          // the signed-in start page
	ChangeLanguage    Action = "language.change"    // any visitor
	SignOut           Action = "session.end"        // end one's own session
	UseScreening      Action = "screening.use"      // the screening tool stores nothing
	ListReferrals     Action = "referral.list"      // referral work area
	ListCases         Action = "case.list"          // coded case list
	ViewCaseSummary   Action = "case.view_coded"    // one case's coded fields
	ViewServices      Action = "service.list"       // service directory
	ViewStatistics    Action = "statistics.view"    // aggregates only
	ViewDirectory     Action = "directory.view"     // jurisdictions and agencies
	ManageUsers       Action = "user.manage"        // accounts
	ViewAuditLog      Action = "audit.view"         // who saw what
	ReadMetrics       Action = "metrics.read"       // operational metrics (no personal data)
	APIScreening      Action = "api.screening"      // POST /api/v1/screenings
	ViewAdminHome     Action = "admin.view"         // administration start page
	ViewProfile       Action = "profile.view"       // one's own account
	ViewAPIInfo       Action = "api.info"           // API root
	ViewHealth        Action = "health.view"        // liveness and readiness
	ViewStatic        Action = "static.view"        // assets
	ViewLogin         Action = "login.view"         // sign-in form
	SignIn            Action = "session.start"      // sign-in
	ViewSessionInfo   Action = "session.view"       // own session
	CreateReferral    Action = "referral.create"    // refer a person or notify anonymously
	ViewReferral      Action = "referral.view"      // a received referral in full
	ViewCaseIdentity  Action = "case.view_identity" // a case's identifying data
	ViewDuplicates    Action = "person.duplicates"  // possible matches with other persons
	BreakGlass        Action = "case.break_glass"   // open a record outside scope, with a reason
	ViewNotifications Action = "notification.list"  // the agency's notifications
)

// Actions of casework after intake.
const (
	ViewQueue         Action = "case.queue"          // the competent authority's decision queue
	DecideCase        Action = "case.decide"         // reasonable and conclusive grounds, periods, reviews
	ReviewNegative    Action = "case.review"         // second-person review of a negative decision
	ViewReasons       Action = "case.view_reasons"   // the reasons given for decisions on a case
	ViewLetter        Action = "case.letter"         // a decision letter to the person
	RecordSupport     Action = "case.support"        // early steps, information, consent, assessment, plan
	OfferService      Action = "service.offer"       // refer the person to a service
	ActOnService      Action = "service.act"         // record the person's choice or the provider's work
	AppointGuardian   Action = "case.guardian"       // record a child's guardian
	OverrideConsent   Action = "consent.override"    // share without consent, with a reason
	HandOver          Action = "case.handover"       // transfer or refer a case to another agency
	RespondHandover   Action = "handover.respond"    // accept, reject, mark done
	HoldConference    Action = "case.conference"     // multidisciplinary case conference
	ManageTasks       Action = "task.manage"         // tasks on a case
	ViewMyWork        Action = "work.view"           // one's own tasks and alerts
	CloseCase         Action = "case.close"          // close and reopen
	RecordProsecution Action = "case.prosecution"    // investigations, charges, proceedings
	ExportCases       Action = "case.export"         // CSV and XLSX exports
	ManageDirectory   Action = "directory.manage"    // the service directory
	ViewSafeAddress   Action = "directory.safe_view" // a safe house's address (its agency)
	// The Transnational Referral Mechanism (docs/TRM.md).
	ManagePeers     Action = "federation.peers"   // add, suspend, resume, remove peer instances
	ReceiveEnvelope Action = "federation.receive" // a peer's envelope: authenticated by its signature, not a session
	SendCase        Action = "trm.send"           // send a case to a peer for a purpose
	ViewTRMInbox    Action = "trm.inbox"          // packages received from peers
	DecideTransfer  Action = "trm.decide"         // accept or decline a received package
	RecordTRM       Action = "trm.record"         // consent to a transfer, best interests, SOP steps, withdrawal
	RunPSI          Action = "trm.psi"            // ask a peer whether a person was identified there
)

// Actions of statistics releases: an analyst drafts, a second person
// approves (which freezes, signs and publishes), anyone reads what is
// published.
const (
	DraftRelease   Action = "statistics.release_draft"
	ApproveRelease Action = "statistics.release_approve"
	ViewReleases   Action = "statistics.release_view"
	ExportCTDC     Action = "statistics.export_ctdc"
)

// Actions on one's own account and sign-in.
const (
	SecondFactor    Action = "session.second_factor" // second step of sign-in; setting up a second factor
	Reauthenticate  Action = "session.reauth"        // prove one's identity again before a sensitive action
	EndAllSessions  Action = "session.end_all"       // sign out everywhere
	ChangePassword  Action = "account.password"      // change one's own password
	ManageMFA       Action = "account.mfa"           // one's own recovery codes
	ManageAPITokens Action = "token.manage"          // one's own API tokens
)

// Actions of a local government (package localgov). The service always
// acts on the principal's own agency; the Scoped plan routes check the
// record's agency with PlanItem.
const (
	ViewLocalGov    Action = "localgov.view"      // the local government's dashboard, records, plan, assessment
	ManageLocalGov  Action = "localgov.manage"    // record prevention, partnerships, plan items, reviews, assessments
	UpdatePlanItem  Action = "localgov.plan_item" // progress on one action-plan activity of the agency
	ViewCityShare   Action = "cityshare.view"     // peer profiles, comparison, the good-practice library
	ManageCityShare Action = "cityshare.manage"   // publish, import, comment on and adopt peer practices
	// Partners invited to contribute to named activities: the officer
	// invites a user to one activity of its agency's plan; the user then
	// lists the activities it was invited to and records progress and
	// evidence on each, and reaches nothing else of the plan.
	InvitePartner        Action = "localgov.invite_partner" // invite a user to contribute to one activity
	ViewContributions    Action = "localgov.contributions"  // the activities one was invited to (one's own list)
	ContributeToActivity Action = "localgov.contribute"     // progress and evidence on an activity one was invited to
)

// Actions of single sign-on (issue 17).
const (
	SignInSSO Action = "session.sso" // leave for an identity provider and come back signed in
	ManageSSO Action = "sso.manage"  // the identity providers and their claim mapping
	// ManagePasskeys: one's own passkeys (list, name, remove). Adding one
	// goes through SecondFactor's routes, as its first one comes from an
	// enrolment link.
	ManagePasskeys Action = "account.passkeys"
)

// Actions of administration (issue 12). The system administrator keeps
// the jurisdictions and agencies and the agency administrators' accounts;
// an agency administrator keeps the accounts of their own agency only.
const (
	ManageJurisdictions Action = "jurisdiction.manage"   // add and change jurisdictions and their settings
	ManageAgencies      Action = "agency.manage"         // add and change agencies
	AdministerUser      Action = "user.administer"       // invite, change role, disable, enable, reset a user's second factor
	AdministerAdmin     Action = "user.administer_admin" // the same for agency and system administrators
)

// scope says which resources a rule lets a role reach.
type scope int

const (
	anyScope          scope = iota // no resource check (pages, tools)
	agencyScope                    // resource in the principal's agency
	jurisdictionScope              // resource in the principal's jurisdiction
	ownScope                       // resource owned by the principal
	contributorScope               // an activity the principal was invited to (Resource.Contributor)
)

type rule struct {
	roles []Role // nil: every signed-in role
	scope scope
	anon  bool // anonymous visitors allowed
	// participants: in agency scope, agencies that work on the case pass
	// too; offered: so do agencies offered it, to decide whether to take
	// it.
	participants, offered bool
	// childProtection: the child-protection office of a child's case
	// passes too (Resource.ChildProtection).
	childProtection bool
}

var everyone = []Role(nil)

// referrers are the roles that meet presumed victims and refer them: every
// frontline role (the seed's first responders are found in all of them).
var referrers = []Role{FirstResponder, CaseWorker, CompetentAuthority, PoliceInvestigator, ShelterStaff, ServiceProvider, AgencyAdmin}

// identityRoles may see who a person is, in their scope; agency
// administrators manage accounts, not people, and do not.
var identityRoles = []Role{CaseWorker, CompetentAuthority, PoliceInvestigator, Prosecutor, ShelterStaff, ServiceProvider}

// supportRoles record the person's protection and support.
var supportRoles = []Role{CaseWorker, CompetentAuthority, ShelterStaff, ServiceProvider}

// caseRoles may see coded case data of their scope.
var caseRoles = []Role{CaseWorker, CompetentAuthority, PoliceInvestigator, Prosecutor, ShelterStaff, ServiceProvider, AgencyAdmin}

var policy = map[Action]rule{
	Public:          {anon: true},
	ViewHealth:      {anon: true},
	ViewStatic:      {anon: true},
	ViewLogin:       {anon: true},
	SignIn:          {anon: true},
	ChangeLanguage:  {anon: true},
	ReadMetrics:     {anon: true}, // guarded by network origin or token in the handler
	ViewAPIInfo:     {anon: true},
	ViewHome:        {roles: everyone},
	SignOut:         {roles: everyone},
	ViewProfile:     {roles: everyone, scope: ownScope},
	ViewSessionInfo: {roles: everyone, scope: ownScope},
	// The handlers of the second step check the half-signed-in session
	// themselves: it carries no principal until the step is done.
	SecondFactor:      {anon: true},
	Reauthenticate:    {roles: everyone},
	EndAllSessions:    {roles: everyone, scope: ownScope},
	ChangePassword:    {roles: everyone, scope: ownScope},
	ManageMFA:         {roles: everyone, scope: ownScope},
	ManageAPITokens:   {roles: everyone, scope: ownScope},
	UseScreening:      {roles: []Role{FirstResponder, CaseWorker, CompetentAuthority, PoliceInvestigator, Prosecutor, ShelterStaff, ServiceProvider, AgencyAdmin}},
	APIScreening:      {roles: []Role{FirstResponder, CaseWorker, CompetentAuthority, PoliceInvestigator, Prosecutor, ShelterStaff, ServiceProvider, AgencyAdmin}},
	ListReferrals:     {roles: referrers},
	CreateReferral:    {roles: referrers},
	ViewReferral:      {roles: []Role{CompetentAuthority}, scope: agencyScope},
	ViewCaseIdentity:  {roles: identityRoles, scope: agencyScope, participants: true, childProtection: true},
	ViewDuplicates:    {roles: []Role{CompetentAuthority, CaseWorker, PoliceInvestigator}, scope: agencyScope},
	BreakGlass:        {roles: identityRoles},
	ViewNotifications: {roles: append([]Role{AgencyAdmin}, identityRoles...), scope: agencyScope},
	ListCases:         {roles: caseRoles},
	ViewCaseSummary:   {roles: caseRoles, scope: agencyScope, participants: true, offered: true, childProtection: true},
	ViewQueue:         {roles: []Role{CompetentAuthority}},
	DecideCase:        {roles: []Role{CompetentAuthority}, scope: agencyScope},
	ReviewNegative:    {roles: []Role{CompetentAuthority}, scope: agencyScope},
	// The reasons for a decision are read by the authority that decides
	// and by the case workers who explain it to the person and help them
	// ask for reconsideration: the owner's, and a working agency's while
	// the person's consent lets the case go there.
	ViewReasons:   {roles: []Role{CompetentAuthority, CaseWorker}, scope: agencyScope, participants: true},
	ViewLetter:    {roles: []Role{CompetentAuthority, CaseWorker}, scope: agencyScope},
	RecordSupport: {roles: supportRoles, scope: agencyScope, participants: true},
	// A child's guardian is recorded by the office that appoints them (the
	// child-protection office notified at referral), the authority or the
	// case workers on the case.
	AppointGuardian:   {roles: []Role{CaseWorker, CompetentAuthority}, scope: agencyScope, participants: true, childProtection: true},
	OfferService:      {roles: supportRoles, scope: agencyScope},
	ActOnService:      {roles: supportRoles, scope: agencyScope, participants: true},
	OverrideConsent:   {roles: []Role{CompetentAuthority, CaseWorker}, scope: agencyScope},
	HandOver:          {roles: []Role{CompetentAuthority, CaseWorker}, scope: agencyScope},
	RespondHandover:   {roles: []Role{CompetentAuthority, CaseWorker, PoliceInvestigator, Prosecutor, ShelterStaff, ServiceProvider}, scope: agencyScope, participants: true, offered: true},
	HoldConference:    {roles: []Role{CompetentAuthority, CaseWorker, PoliceInvestigator, ShelterStaff, ServiceProvider}, scope: agencyScope, participants: true},
	ManageTasks:       {roles: identityRoles, scope: agencyScope, participants: true},
	ViewMyWork:        {roles: identityRoles},
	CloseCase:         {roles: []Role{CompetentAuthority, CaseWorker}, scope: agencyScope},
	RecordProsecution: {roles: []Role{PoliceInvestigator, Prosecutor}, scope: agencyScope, participants: true},
	ExportCases:       {roles: []Role{CompetentAuthority, AgencyAdmin}},
	ManageDirectory:   {roles: []Role{AgencyAdmin, ShelterStaff, ServiceProvider}},
	ViewSafeAddress:   {roles: []Role{ShelterStaff, CaseWorker, AgencyAdmin}, scope: agencyScope},
	ViewServices:      {roles: everyone},
	// A local government officer reads its jurisdiction's statistics,
	// where its own indicators stand beside the mechanism's.
	ViewStatistics: {roles: []Role{Analyst, CompetentAuthority, AgencyAdmin, SystemAdmin, LocalGovOfficer}},
	DraftRelease:   {roles: []Role{Analyst}},
	ApproveRelease: {roles: []Role{Analyst, CompetentAuthority}},
	ViewReleases:   {anon: true},
	ExportCTDC:     {roles: []Role{Analyst}},
	ViewAdminHome:  {roles: []Role{AgencyAdmin, SystemAdmin}},
	ViewDirectory:  {roles: []Role{AgencyAdmin, SystemAdmin}},
	ManageUsers:    {roles: []Role{AgencyAdmin, SystemAdmin}},
	ViewAuditLog:   {roles: []Role{AgencyAdmin, SystemAdmin}},
	// TRM: peers are the system administrator's; the competent authority
	// (the national TRM focal point) sends, receives and decides; case
	// workers on the case record consent and SOP steps with it.
	ManagePeers:     {roles: []Role{SystemAdmin}},
	ReceiveEnvelope: {anon: true},
	SendCase:        {roles: []Role{CompetentAuthority}, scope: agencyScope},
	ViewTRMInbox:    {roles: []Role{CompetentAuthority}},
	DecideTransfer:  {roles: []Role{CompetentAuthority}},
	RecordTRM:       {roles: []Role{CompetentAuthority, CaseWorker}, scope: agencyScope, participants: true},
	RunPSI:          {roles: []Role{CompetentAuthority}, scope: agencyScope},
	// A local government's officers keep its records; the agency
	// administrator may too; analysts read them. No case data is reached
	// through these actions.
	ViewLocalGov:    {roles: []Role{LocalGovOfficer, AgencyAdmin, Analyst}},
	ManageLocalGov:  {roles: []Role{LocalGovOfficer, AgencyAdmin}},
	UpdatePlanItem:  {roles: []Role{LocalGovOfficer, AgencyAdmin}, scope: agencyScope},
	ViewCityShare:   {roles: []Role{LocalGovOfficer, AgencyAdmin, Analyst}},
	ManageCityShare: {roles: []Role{LocalGovOfficer, AgencyAdmin}},
	// A partner may be a user of any role and agency; what it reaches is
	// only the activities it was invited to.
	InvitePartner:        {roles: []Role{LocalGovOfficer, AgencyAdmin}, scope: agencyScope},
	ViewContributions:    {roles: everyone, scope: ownScope},
	ContributeToActivity: {roles: everyone, scope: contributorScope},
	// Signing in through a provider is open like the password form; the
	// providers, which decide who may become whom, are the system
	// administrator's alone.
	SignInSSO:      {anon: true},
	ManageSSO:      {roles: []Role{SystemAdmin}},
	ManagePasskeys: {roles: everyone, scope: ownScope},
	// Administration: the resource of AdministerUser is the account's
	// agency, so an agency administrator reaches their own agency's
	// accounts and no other's.
	ManageJurisdictions: {roles: []Role{SystemAdmin}},
	ManageAgencies:      {roles: []Role{SystemAdmin}},
	AdministerUser:      {roles: []Role{AgencyAdmin}, scope: agencyScope},
	AdministerAdmin:     {roles: []Role{SystemAdmin}},
}

// grantReads are the only actions a break-glass grant can allow: reading
// one case (its coded summary, who the person is, the reasons of its
// decisions, its decision letter).
// Decide consults this list, not the rules, when a grant is what would
// give access, so no rule, present or future, can let a grant change a
// case: a command that hands a case over, records consent, closes it or
// adds anything to it is refused under a grant by construction.
var grantReads = map[Action]bool{ViewCaseSummary: true, ViewCaseIdentity: true, ViewReasons: true, ViewLetter: true}

// Decision is the outcome of Decide.
type Decision struct {
	Allow bool
	// Reason is a stable code for logs and tests: "allowed", "no_policy",
	// "anonymous", "role", "scope".
	Reason string
}

// Decide is the one function that decides whether p may do a on r.
func Decide(a Action, p Principal, r Resource) Decision {
	ru, ok := policy[a]
	if !ok {
		return Decision{false, "no_policy"}
	}
	if p.Anonymous() {
		if ru.anon {
			return Decision{true, "allowed"}
		}
		return Decision{false, "anonymous"}
	}
	if !ru.anon {
		if !p.Role.Valid() || (ru.roles != nil && !slices.Contains(ru.roles, p.Role)) {
			return Decision{false, "role"}
		}
	}
	switch ru.scope {
	case agencyScope:
		if !inAgencyScope(p, r) {
			switch {
			case r.Participant && ru.participants:
				return Decision{true, "participant"}
			case r.Offered && ru.offered:
				return Decision{true, "offered"}
			case r.ChildProtection && ru.childProtection:
				return Decision{true, "child_protection"}
			case r.BreakGlass && grantReads[a] && slices.Contains(identityRoles, p.Role):
				return Decision{true, "break_glass"}
			}
			return Decision{false, "scope"}
		}
	case jurisdictionScope:
		if r.JurisdictionID == "" || r.JurisdictionID != p.JurisdictionID {
			return Decision{false, "scope"}
		}
	case ownScope:
		if r.OwnerUserID != "" && r.OwnerUserID != p.UserID {
			return Decision{false, "scope"}
		}
	case contributorScope:
		if !r.Contributor {
			return Decision{false, "scope"}
		}
		return Decision{true, "contributor"}
	}
	return Decision{true, "allowed"}
}

// Allowed is Decide(...).Allow.
func Allowed(a Action, p Principal, r Resource) bool { return Decide(a, p, r).Allow }

// Known reports whether the policy has a rule for a.
func Known(a Action) bool { _, ok := policy[a]; return ok }

// CaseListScope returns the filter a principal's case list must use: the
// competent authority sees its jurisdiction, everyone else their agency.
func CaseListScope(p Principal) (agencyID, jurisdictionID string) {
	if p.Role == CompetentAuthority {
		return "", p.JurisdictionID
	}
	return p.AgencyID, ""
}

// inAgencyScope is the agency-scope test of Decide: the competent authority
// decides on every case of its jurisdiction; others see their own agency's
// records.
func inAgencyScope(p Principal, r Resource) bool {
	if p.Role == CompetentAuthority {
		return r.JurisdictionID != "" && r.JurisdictionID == p.JurisdictionID
	}
	return r.AgencyID != "" && r.AgencyID == p.AgencyID
}

// Rule describes the policy of one action, for the documented matrix.
type Rule struct {
	Anonymous bool
	// Roles allowed; nil means every signed-in role.
	Roles []Role
	// Scope is "any", "agency", "jurisdiction", "own" or "contributor".
	Scope string
	// BreakGlass is true when a live break-glass grant opens records
	// outside the scope for identity roles: only for the reads of
	// grantReads.
	BreakGlass bool
	// Participants and Offered: agencies working on the case, or offered
	// it, pass the agency scope; ChildProtection: so does the
	// child-protection office of a child's case.
	Participants, Offered, ChildProtection bool
}

// Describe returns the rule of an action, and false for an unknown one.
func Describe(a Action) (Rule, bool) {
	ru, ok := policy[a]
	if !ok {
		return Rule{}, false
	}
	out := Rule{Anonymous: ru.anon, Roles: ru.roles, Scope: [...]string{"any", "agency", "jurisdiction", "own", "contributor"}[ru.scope]}
	out.BreakGlass = ru.scope == agencyScope && grantReads[a]
	out.Participants, out.Offered, out.ChildProtection = ru.participants, ru.offered, ru.childProtection
	return out, true
}
