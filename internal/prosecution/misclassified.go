package prosecution

// Misclassified returns the ids of the charges that may hide trafficking in
// the statistics, in the order added: when the case's screening or
// decision says trafficking (screeningTrafficking) and no charge of the
// investigation is for trafficking, every charge is for a substitute
// offence — pimping, procuring, smuggling of migrants, money laundering,
// forced labour, a labour-law violation, document fraud, kidnapping or
// another offence — and is returned. Otherwise it returns nil.
//
// The caller decides what "says trafficking" means for the case: typically
// a screening classification of presumed_trafficking or
// smuggling_with_trafficking_indicators (package screening), or a positive
// reasonable-grounds or conclusive decision (package casework).
//
// The seed (ch. 4.2, "Challenges for Governments") notes that without
// specific legislation "human trafficking crimes are reported under
// different criminal provisions leading to ambiguous data collection", and
// that criminal justice actors convict traffickers "for pimping, smuggling
// or money laundering instead of trafficking"; its Mongolian case study
// shows sex trafficking prosecuted under the brothel article, and cases
// involving boys under a lesser sexual offence. Such cases then count as
// no trafficking prosecution and no trafficking conviction, so the response
// looks smaller than it is (DOMAIN.md §6: prosecutions and convictions as
// outcome indicators). A trafficking charge anywhere in the investigation,
// whatever its outcome, clears the warning: substitute charges beside it
// (e.g. money laundering against the financier) are ordinary.
//
// This is a warning for the user interface and for data-quality reports,
// never a decision: whether trafficking can be charged is the
// prosecutor's call (Palermo Protocol art. 5 requires it to be a criminal
// offence; the charge is chosen on the evidence).
func Misclassified(inv Investigation, screeningTrafficking bool) []string {
	if !screeningTrafficking {
		return nil
	}
	var ids []string
	for _, c := range inv.Charges {
		if c.Offence == OffenceTrafficking {
			return nil
		}
		if c.Offence.Substitute() {
			ids = append(ids, c.ID)
		}
	}
	return ids
}
