package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	var sb strings.Builder
	for i := 0; sb.Len() < 256; i++ {
		sb.WriteByte("Zq7#kR2!mW9$vT4%"[(i*7+i/16)%16])
	}
	long256 := sb.String()[:256]
	cases := []struct {
		name     string
		password string
		personal []string
		want     PasswordProblem // "" means accepted
	}{
		{"empty", "", nil, PasswordTooShort},
		{"eleven characters", "kV9#tq2!Lm4", nil, PasswordTooShort},
		{"twelve characters", "kV9#tq2!Lm4x", nil, ""},
		{"short in characters, long in bytes", "가나다라마바사아자차카", nil, PasswordTooShort},
		{"twelve Hangul characters", "가나다라마바사아자차카타", nil, ""},
		{"256 bytes", long256, nil, ""},
		{"257 bytes", long256 + "x", nil, PasswordTooLong},
		{"listed, twelve characters", "qwertyuiop12", nil, PasswordCommon},
		{"listed, any case", "QWERTY123456", nil, PasswordCommon},
		{"listed word with digits added", "sunshine2024!", nil, PasswordCommon},
		{"listed word with digits before", "2024sunshine", nil, PasswordCommon},
		{"listed word repeated", "dragondragon", nil, PasswordCommon},
		{"two listed words", "monkeyfootball", nil, PasswordCommon},
		{"two listed words with a separator", "monkey-football", nil, PasswordCommon},
		{"one character repeated", "aaaaaaaaaaaaaaa", nil, PasswordCommon},
		{"short unit repeated", "abcabcabcabc", nil, PasswordCommon},
		{"sequence", "abcdefghijklm", nil, PasswordCommon},
		{"descending letters", "zyxwvutsrqpon", nil, PasswordCommon},
		{"contains the username", "xq-maria.k-2291", []string{"mariak"}, ""},
		{"contains a word of the username", "Vrett-kovacs-7719", []string{"m.kovacs", "Maria Kovacs"}, PasswordPersonal},
		{"contains the service name", "my-haven-login-77", nil, PasswordPersonal},
		{"short name words are not checked", "ann-7Qv$-x9Lm-2w", []string{"ann"}, ""},
		{"a passphrase", "violet tractor ledger 4 cups", nil, ""},
		{"random", "tQ8v-Rk2m-Wz7p", nil, ""},
		{"demo style", "amber-orbit-0417-cedar", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckPassword(c.password, c.personal...)
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var pe *PasswordError
			if !errors.As(err, &pe) || pe.Problem != c.want {
				t.Fatalf("got %v, want %s", err, c.want)
			}
			if c.password != "" && strings.Contains(err.Error(), c.password) {
				t.Fatal("the error text quotes the password")
			}
		})
	}
}

func TestCommonPasswordList(t *testing.T) {
	if n := len(commonPasswords()); n < 40000 {
		t.Fatalf("the embedded list has %d passwords, want the whole vendored list", n)
	}
	for _, pw := range []string{"password", "123456", "iloveyou", "1qaz2wsx3edc"} {
		if !commonPasswords().has(pw) {
			t.Errorf("%q is not in the list", pw)
		}
	}
}
