// Package trm holds the rules of the Transnational Referral Mechanism as
// data and pure functions (no I/O): the purposes a case may be sent to
// another country for and the minimum HTCDS fields each may carry, the
// consent and best-interests gate, the five standard operating procedures
// with the responsibilities of the countries of destination and origin,
// and the coded status events that flow back to the sender.
//
// Sources: ICMPD, Guidelines for the Development of a Transnational
// Referral Mechanism for Trafficked Persons in Europe: TRM-EU (2009), its
// five SOPs; HTCDS 2.0 field names; UNHCR Guidelines on Assessing and
// Determining the Best Interests of the Child (2021); Council of Europe
// Convention on Action against Trafficking, arts. 12(6), 16 (return
// with due regard for rights, safety and dignity, preferably voluntary).
package trm
