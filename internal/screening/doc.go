// Package screening assesses a case against the international definition of
// trafficking in persons and related tools, to support (never replace) the
// decision of a trained person.
//
// A screening combines four independent views of the same coded facts:
//
//   - the Protocol test: act, means and purpose under art. 3 of the UN
//     Trafficking Protocol (2000), with the child rule of art. 3(c)-(d) and
//     the presumption of age for a person who may be a child;
//   - an indicator profile, such as the ILO–European Commission operational
//     indicators (2009), held as versioned data with provenance and a
//     verified flag, so that a deploying authority can check or replace it;
//   - the distinction between smuggling of migrants (Smuggling Protocol
//     art. 3(a)) and trafficking, since a smuggled migrant can become a
//     trafficked person and the case must stay re-screenable;
//   - a national legal profile, which says where national law adds forms of
//     exploitation or falls short of the Protocol.
//
// Apart from the Load*File helpers, the package reads only the bytes it is
// given, keeps no mutable global state, and produces deterministic, sorted
// output, so the same case always yields the same result and results can be
// compared over time.
package screening
