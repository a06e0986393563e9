package accounts

import (
	"slices"

	"github.com/haven-nrm/haven/internal/access"
)

// The rules of passkeys (issue 17), as data and pure functions.

// UserVerificationRequired reports whether a role's passkeys must verify
// the user (a PIN or biometric on the authenticator, WebAuthn "uv"), not
// only their presence: the roles that may see who a person is, so that a
// stolen security key alone never opens identities.
func UserVerificationRequired(r access.Role) bool {
	rule, _ := access.Describe(access.ViewCaseIdentity)
	return slices.Contains(rule.Roles, r)
}

// passwordlessRoles may sign in with a passkey alone. The system
// administrator, who can change every provider and account, also types a
// password.
var passwordlessRoles = []access.Role{access.FirstResponder, access.CaseWorker, access.CompetentAuthority,
	access.PoliceInvestigator, access.Prosecutor, access.ShelterStaff, access.ServiceProvider, access.Analyst, access.AgencyAdmin,
	access.LocalGovOfficer}

// PasswordlessAllowed reports whether a role may sign in with a passkey
// instead of a password. Such a sign-in always requires user
// verification: the passkey is then two factors (the device, and the PIN
// or biometric that unlocks it).
func PasswordlessAllowed(r access.Role) bool { return slices.Contains(passwordlessRoles, r) }
