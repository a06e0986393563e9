// Package notify sends Haven's e-mail alerts.
//
// The rule: an alert carries codes and a link, never a person. E-mail leaves
// Haven's control the moment it is sent: it is copied to relays, mailbox
// providers, phones and backups, and it is read over shoulders. So a message
// built here holds only
//
//   - a coded kind of alert (Message.Kind, e.g. "referral_new"),
//   - a coded case reference (Message.CaseRef, e.g. "NP-1A2B3C4D"),
//   - a link to the case inside Haven (Config.BaseURL + Message.Path),
//     where the reader must sign in and pass the access policy to see more,
//   - and a short, already-translated subject and body written by the caller
//     from those codes alone.
//
// Names, dates of birth, nationalities, addresses, phone numbers, free-text
// notes and anything else that could identify a person never go into an
// alert. The package enforces what it can: links carry path ids only (no
// query strings, no fragments), recipients are bare addresses (no display
// names), headers cannot be injected, and error messages never repeat an
// address, a subject or a body. What it cannot know — whether a translated
// sentence mentions someone — the tests prove with CheckNoIdentifiers
// (identifiers_test.go), passing the very names and details of the person
// the alert is about.
//
// Compose builds one RFC 5322 message; Mailer sends a batch over a single
// SMTP connection, upgrading with STARTTLS whenever the server offers it and
// authenticating only over TLS or to a loopback relay.
package notify
