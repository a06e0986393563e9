package seal

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// secretForms returns encodings of secret, and of its pieces, that must
// never show up in output.
func secretForms(secret []byte) []string {
	var forms []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		full := enc.EncodeToString(secret)
		forms = append(forms, full, full[:12])
	}
	// Any 6-byte window in hex, and the start of a decimal byte list as
	// fmt prints a []byte or an array.
	for i := 0; i+6 <= len(secret); i++ {
		h := hex.EncodeToString(secret[i : i+6])
		forms = append(forms, h, strings.ToUpper(h))
	}
	dec := strings.Trim(fmt.Sprint(secret[:6]), "[]")
	forms = append(forms, dec, strings.ReplaceAll(dec, " ", ", "))
	return forms
}

func TestRedaction(t *testing.T) {
	kr := withNewKey(t, newTestKeyring(t))
	dk, w := newTestDataKey(t, kr, "rec-1")

	var forms []string
	for _, k := range kr.state().keys {
		forms = append(forms, secretForms(k.key[:])...)
	}
	forms = append(forms, secretForms(kr.state().indexSecret[:])...)
	forms = append(forms, secretForms(kr.state().indexKey[:])...)
	forms = append(forms, secretForms(dk.m.key[:])...)
	// The key id at the start of a wrapped key is not secret; the rest is.
	forms = append(forms, base64.StdEncoding.EncodeToString(w), hex.EncodeToString(w))
	forms = append(forms, secretForms(w[wrapHeaderSize:])...)

	type exported struct {
		K DataKey
		R *Keyring
		W WrappedKey
	}
	// fmt cannot call methods through unexported fields. DataKey and
	// Keyring keep their material behind pointers, so only addresses show;
	// a WrappedKey, being a plain byte string of ciphertext, would show its
	// bytes there like any []byte, so it is left out.
	type unexported struct {
		k  DataKey
		r  *Keyring
		kv Keyring
		pk *DataKey
	}
	values := map[string]any{
		"DataKey":            dk,
		"*DataKey":           &dk,
		"*Keyring":           kr,
		"Keyring":            *kr,
		"WrappedKey":         w,
		"exported fields":    exported{dk, kr, w},
		"*exported fields":   &exported{dk, kr, w},
		"unexported fields":  unexported{dk, kr, *kr, &dk},
		"*unexported fields": &unexported{dk, kr, *kr, &dk},
		"slice":              []any{dk, kr, w},
		"map":                map[string]any{"dk": dk, "kr": kr, "w": w},
	}

	check := func(t *testing.T, what, out string) {
		t.Helper()
		for _, f := range forms {
			if strings.Contains(out, f) {
				t.Fatalf("%s contains key material (%q): %s", what, f, out)
			}
		}
	}

	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %[1]v"} {
			check(t, name+" "+verb, fmt.Sprintf(verb, v))
		}
		check(t, name+" Sprint", fmt.Sprint(v))
		check(t, name+" Errorf", fmt.Errorf("wrapping: %v", v).Error())
	}
	for name, v := range map[string]any{"DataKey": dk, "*Keyring": kr, "WrappedKey": w} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
			if got := fmt.Sprintf(verb, v); got != "[redacted]" {
				t.Errorf("%s %s = %q, want [redacted]", name, verb, got)
			}
		}
		if got := v.(fmt.Stringer).String(); got != "[redacted]" {
			t.Errorf("%s String() = %q", name, got)
		}
		if got := v.(slog.LogValuer).LogValue().String(); got != "[redacted]" {
			t.Errorf("%s LogValue() = %q", name, got)
		}
	}

	for _, newHandler := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var buf bytes.Buffer
		log := slog.New(newHandler(&buf))
		log.Info("keys", "dk", dk, "kr", kr, "w", w, slog.Any("dkAny", dk), slog.Group("g", "kr", *kr, "w", w))
		log.With("dk", dk).Info("with", "unexported", unexported{dk, kr, *kr, &dk}, "exportedDataKey", struct{ K DataKey }{dk})
		log.Info("exported", "s", exported{K: dk, R: kr}) // W left out: see below
		out := buf.String()
		check(t, "slog output", out)
		if n := strings.Count(out, "[redacted]"); n < 8 {
			t.Errorf("slog output has %d redactions, want at least 8:\n%s", n, out)
		}
	}

	// json.Marshal never serialises a key; a WrappedKey in an exported struct
	// field is encoded faithfully (it is ciphertext meant for storage), while
	// on its own slog redacts it.
	b, err := json.Marshal(exported{K: dk, R: kr})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "json", string(b))
	if want := `{"K":"[redacted]","R":"[redacted]","W":null}`; string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}

	// Errors from failed operations carry no key material or plaintext.
	ct, _ := Seal(dk, "rec-1", "name", []byte("Maria de la Cruz"))
	other, _ := newTestDataKey(t, kr, "rec-2")
	_, err1 := Open(other, "rec-1", "name", ct)
	_, err2 := kr.Unwrap("rec-2", w)
	_, err3 := newTestKeyring(t).Unwrap("rec-1", w)
	_, err4 := ParseKeyring(bytes.Replace(kr.Marshal(), []byte(" v1 "), []byte(" v9 "), 1))
	for _, err := range []error{err1, err2, err3, err4} {
		if err == nil {
			t.Fatal("expected an error")
		}
		check(t, "error", err.Error())
		if strings.Contains(err.Error(), "Maria") {
			t.Fatalf("error contains plaintext: %v", err)
		}
	}
}
