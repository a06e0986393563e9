// Package casework holds the rules of the competent authority's decisions on
// a referred person, modelled on the UK National Referral Mechanism and the
// Council of Europe Convention on Action against Trafficking in Human Beings
// (2005):
//
//   - a reasonable-grounds (RG) decision, due within a target number of
//     working days of the referral in the country's own calendar;
//   - a recovery and reflection period opened by a positive RG decision,
//     lasting at least the country's minimum (30 days under art. 13 of the
//     Convention), which may be extended but never shortened, and during
//     which the person may not be removed from the country;
//   - a conclusive-grounds (CG) decision, taken only after a positive RG
//     decision; a negative one needs every mandatory consultation recorded
//     first and takes effect only when a second person upholds it;
//   - reconsideration of a negative decision, which reopens it;
//   - the HTCDS 2.0 trafficking status that follows from the decisions.
//
// Countries differ in calendars, targets, periods, outcomes and
// consultations, so these are data: one embedded JSON file per country
// under countries/, plus a default modelled on England and Wales. The sample
// countries' holiday lists are short and unverified; a deploying authority
// loads its official calendar.
//
// The package is pure. Apart from looking up a calendar's time-zone name in
// the time-zone database when a configuration is parsed (the database is
// also compiled in, so the lookup works on a system without one), it reads
// nothing but the bytes and values it is given; the clock is passed in; every operation takes a Record and returns
// a new one, with the domain events to store beside it, and never changes
// its argument. Every change names the version it expects, so that the
// store can refuse a change made on a stale copy. Errors carry a stable
// code for the user interface.
package casework
