package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/errs"
)

type tokenRow struct {
	accounts.APIToken
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
	return s.renderTokens(w, r, http.StatusOK, tokensData{Days: accounts.DefaultTokenDays})
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, d tokensData) error {
	u := currentUser(r)
	if u == nil {
		return errUnauthenticated
	}
	ts, err := s.accounts.APITokens(r.Context(), u.ID)
	if err != nil {
		return err
	}
	now := s.Now()
	for _, t := range ts {
		d.Tokens = append(d.Tokens, tokenRow{t, t.Live(now)})
	}
	d.MaxDays = accounts.MaxTokenDays
	return s.render(w, status, "account_tokens", s.newPage(r, "account.tokens.title", "", d))
}

// tokenCreate makes a personal API token after a recent proof of identity
// (accounts.CreateAPIToken). The token is shown once, in this response.
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
	// A lifetime that is not a number is 0 days, which is refused.
	days, _ := strconv.Atoi(r.PostForm.Get("days"))
	in := accounts.NewToken{Name: r.PostForm.Get("name"), Days: days}
	secret, err := s.accounts.CreateAPIToken(r.Context(), principal(r), u.ID, in)
	var refusal *errs.Error
	if errors.As(err, &refusal) && refusal.Kind == errs.Invalid && refusal.Key != "" {
		d := tokensData{Name: strings.TrimSpace(in.Name), Days: days, Error: refusal.Key}
		if refusal.Field == "days" {
			d.Days = accounts.DefaultTokenDays
		}
		return s.renderTokens(w, r, http.StatusBadRequest, d)
	}
	if err != nil {
		return err
	}
	return s.renderTokens(w, r, http.StatusOK, tokensData{Days: accounts.DefaultTokenDays, Created: secret})
}
