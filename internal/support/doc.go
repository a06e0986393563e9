// Package support holds the victim-centred rules of protection and support
// for a presumed victim of trafficking once referred:
//
//   - the early steps of identification and the information every presumed
//     victim must receive (OSCE 2011, as set out in the seed), recorded with
//     the date, the user who did it and the language used (Checklist);
//   - referrals to services and their life cycle (offered, accepted,
//     declined, delivered, ended, withdrawn), with the rule that support
//     comes without conditions: a declined or withdrawn service never blocks
//     another service or the case, and taking part in proceedings is never a
//     condition for any service (Plan, Offer, Act, CanOffer, CanCloseCase);
//   - a consent ledger per purpose and recipient, in which the latest event
//     wins, and the decision whether coded or identifying data may leave the
//     agency that owns the case (Ledger, Allows, CheckShare);
//   - needs and risk assessment at the individual, household and community
//     levels (HTCDS 2.0 assessment and planning sections), and when it makes
//     a case urgent (Assessment, Urgent).
//
// Service codes follow the style of Open Referral HSDS and map onto the HTCDS
// 2.0 support plan types (spl_Type).
//
// The package is pure: it reads only the values it is given and never the
// clock; the time is passed in (a Clock for a Checklist, now for everything
// else). Operations on a Plan or a Ledger return a new value and never
// change their argument. A refusal is an *Error with a stable Code and no
// personal data; a decision is a Decision or a ShareDecision with a reason
// code, for the user interface and the audit log.
package support
