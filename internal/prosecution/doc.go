// Package prosecution holds the rules of the criminal-justice pillar of a
// National Referral Mechanism (OSCE NRM handbook, 2nd ed. 2022: "criminal
// justice and redress"): the investigation of a trafficking case and what
// the courts do with it, seen from the victim's side.
//
//   - An Investigation is opened by a police agency on a case (Open). It
//     holds the suspects, who are never named here (AddSuspect: a role in
//     the trafficking chain, HTCDS 2.0 gender, citizenship, and an opaque
//     reference to the sealed identity), and the charges brought against
//     them, each with its offence category and the code of the provision
//     used from the country's list (AddCharge, ChargeUnder, Provisions);
//     what an officer writes about a charge is sealed elsewhere, never
//     kept in the record.
//   - Each charge moves through the stages investigation → charged → trial
//     → verdict → appeal (RecordProceeding); a verdict needs a charge
//     brought, a sentence needs a conviction (RecordSentence), compensation
//     ordered against a convicted offender is tracked until paid and can
//     never be paid beyond the order (RecordCompensation). Dates never
//     precede earlier stages nor lie in the future.
//   - Misclassified warns when a case screened as trafficking is charged
//     only with substitute offences (pimping, smuggling, money laundering
//     …): such charges hide trafficking in the statistics.
//   - The victim's part in the proceedings is voluntary (RecordParticipation,
//     CanRecordParticipation): willingness "yes" is recorded only with the
//     person's consent to take part in proceedings, and the protection
//     measures asked for are recorded with it (CoE Convention art. 28 and
//     30; Directive 2011/36/EU art. 12).
//   - Non-punishment (RaiseNonPunishment, NonPunishmentGuidance): when the
//     person is suspected of an offence linked to their exploitation, the
//     package gives coded guidance — notify the prosecutor, consider
//     discontinuance, do not detain for immigration offences, and for a child
//     no test of compulsion (CoE Convention art. 26; Directive 2011/36/EU
//     art. 8; OSCE 2013 non-punishment recommendations; ASEAN ACTIP art.
//     14(7); UNODC Model Law art. 10).
//
// Support is never conditional on taking part in proceedings (CoE
// Convention art. 12(6); Directive 2011/36/EU art. 11(3)). Support lives in
// package support, which this package does not import, and nothing here
// returns, grants or withholds a service: a refusal to take part, or a
// withdrawal, blocks nothing here either — investigations and prosecutions
// go on ex officio (CoE Convention art. 27(1); Directive 2011/36/EU art.
// 9(1)). The tests check both.
//
// The package is pure: it reads only the values it is given and never the
// clock; the time is passed in as now. Every operation takes an
// Investigation and the version the caller read, and returns a new
// Investigation one version later; it never changes its argument. A refusal
// is an *Error with a stable Code and no personal data, which unwraps to
// Haven's error taxonomy (package errs).
package prosecution
