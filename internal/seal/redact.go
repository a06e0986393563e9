package seal

import (
	"fmt"
	"io"
	"log/slog"
)

// redacted is what every key-holding type prints and logs as.
const redacted = "[redacted]"

var (
	_ fmt.Formatter  = DataKey{}
	_ fmt.Stringer   = DataKey{}
	_ slog.LogValuer = DataKey{}
	_ fmt.Formatter  = (*Keyring)(nil)
	_ fmt.Stringer   = (*Keyring)(nil)
	_ slog.LogValuer = (*Keyring)(nil)
	_ fmt.Formatter  = WrappedKey(nil)
	_ fmt.Stringer   = WrappedKey(nil)
	_ slog.LogValuer = WrappedKey(nil)
)

// String returns "[redacted]".
func (DataKey) String() string { return redacted }

// Format writes "[redacted]" for every verb, including %x and %#v.
func (DataKey) Format(f fmt.State, _ rune) { io.WriteString(f, redacted) }

// LogValue returns "[redacted]".
func (DataKey) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON returns "[redacted]": a data key is never serialised.
func (DataKey) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// String returns "[redacted]".
func (Keyring) String() string { return redacted }

// Format writes "[redacted]" for every verb, including %x and %#v.
func (Keyring) Format(f fmt.State, _ rune) { io.WriteString(f, redacted) }

// LogValue returns "[redacted]".
func (Keyring) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON returns "[redacted]": use [Keyring.Marshal] and
// [WriteKeyFile] to persist a keyring.
func (Keyring) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// String returns "[redacted]".
func (WrappedKey) String() string { return redacted }

// Format writes "[redacted]" for every verb, including %x and %#v.
func (WrappedKey) Format(f fmt.State, _ rune) { io.WriteString(f, redacted) }

// LogValue returns "[redacted]".
func (WrappedKey) LogValue() slog.Value { return slog.StringValue(redacted) }
