// Package directory holds the service directory of the referral mechanism,
// modelled on Open Referral HSDS 3.0: organizations (each run by a Haven
// agency), the services they provide (typed with support.ServiceType, with
// status, languages, eligibility and capacity), the physical locations where
// services are delivered, and the links between services and locations
// (service_at_location).
//
// It holds three kinds of rules:
//
//   - validation of directory records (CheckOrganization, CheckService,
//     CheckLocation, CheckServiceAtLocation): bounded single-line text
//     without control characters, valid codes, capacity with
//     0 ≤ available ≤ total, and the rules of safe houses — a confidential
//     location must have a coarse Area to show instead of its address, and a
//     shelter at a location that is not confidential is flagged unless the
//     location is explicitly a public shelter;
//   - who may see where a location is (AddressVisible, Present): the address
//     of a confidential location (a safe house) is shown only to the agency
//     that runs it and to the case worker assigned to a person placed there;
//     everyone else sees the Area and the fact that it is confidential, and
//     the LocationView they get never carries the address (OSCE NRM
//     handbook on shelter confidentiality; CoE Convention art. 11, private
//     life, and art. 12(1)(a), secure accommodation);
//   - matching a person's need to services (Match, MatchAll): eligible active
//     services of the type needed, those with free capacity first, then those
//     that speak one of the person's languages, each with the reasons why.
//
// Field names follow HSDS 3.0 where there is one: organization.name and
// description; service.name, description, status, languages,
// eligibility_description, minimum_age and maximum_age, and
// service_capacity (available, maximum, unit); location.name and the
// address fields address_1, city, region, postal_code and country. Every
// location is physical (HSDS location_type "physical"). Genders are HTCDS
// 2.0 prs_Gender codes, as in package vocab.
//
// The package is pure: it reads only the values it is given. A refusal is an
// *Error with a stable Code and the field concerned, never the text that was
// refused; it unwraps to an *errs.Error of kind Invalid whose translation
// key is "directory.error.<code>".
package directory
