package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// API tokens live at most maxTokenDays days; the form offers
// defaultTokenDays.
const (
	maxTokenDays     = 90
	defaultTokenDays = 30
	maxTokenName     = 80
	// apiTokenPrefix marks Haven tokens, so secret scanners can find
	// them in code and logs.
	apiTokenPrefix = "hvn_"
)

type tokenRow struct {
	store.APIToken
	Live bool
}

type tokensData struct {
	Tokens  []tokenRow
	Days    int
	MaxDays int
	Name    string
	// Created is the new token, shown once.
	Created string
	Error   string // translation key
}

func (s *Server) tokenList(w http.ResponseWriter, r *http.Request) error {
	return s.renderTokens(w, r, http.StatusOK, tokensData{Days: defaultTokenDays})
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, d tokensData) error {
	u := currentUser(r)
	if u == nil {
		return errUnauthenticated
	}
	ts, err := s.DB.APITokens(r.Context(), u.ID)
	if err != nil {
		return err
	}
	now := s.Now()
	for _, t := range ts {
		d.Tokens = append(d.Tokens, tokenRow{t, t.Live(now)})
	}
	d.MaxDays = maxTokenDays
	return s.render(w, status, "account_tokens", s.newPage(r, "account.tokens.title", "", d))
}

// tokenCreate makes a personal API token after a recent proof of identity.
// The token is shown once, in this response; only its SHA-256 is kept.
func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	if u == nil {
		return errUnauthenticated
	}
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	if ok, err := s.requireRecentAuth(w, r); !ok || err != nil {
		return err
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	days, derr := strconv.Atoi(r.PostForm.Get("days"))
	d := tokensData{Name: name, Days: days}
	switch {
	case name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxTokenName || strings.ContainsFunc(name, isControl):
		d.Error = "account.tokens.bad_name"
	case derr != nil || days < 1 || days > maxTokenDays:
		d.Error, d.Days = "account.tokens.bad_days", defaultTokenDays
	}
	if d.Error != "" {
		return s.renderTokens(w, r, http.StatusBadRequest, d)
	}
	now := s.Now()
	secret := apiTokenPrefix + auth.NewToken()
	t := store.APIToken{ID: store.NewID(), UserID: u.ID, Name: name, CreatedAt: store.Millis(now),
		ExpiresAt: store.Millis(now.Add(time.Duration(days) * 24 * time.Hour))}
	ctx := r.Context()
	if err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertAPIToken(ctx, t, store.HashToken(secret)); err != nil {
			return err
		}
		return tx.Audit(ctx, s.event(r, "token.create", "api_token", t.ID, map[string]string{"days": strconv.Itoa(days)}))
	}); err != nil {
		return err
	}
	return s.renderTokens(w, r, http.StatusOK, tokensData{Days: defaultTokenDays, Created: secret})
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
