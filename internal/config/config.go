// Package config holds Haven's run-time settings. Every setting is a flag and
// a HAVEN_* environment variable; flags win. The Config is a plain value passed
// explicitly to whoever needs it: there is no global configuration.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the set of settings shared by the commands that run Haven.
type Config struct {
	// Database is a postgres:// URL, or a path to the SQLite file. Empty means
	// <DataDir>/haven.db.
	Database string
	// DataDir holds the embedded database, the master key file and the
	// audit signing key when they are not supplied otherwise.
	DataDir string
	// Listen is the TCP address the HTTP server binds.
	Listen string
	// BaseURL is the address users reach Haven at; links in e-mail use it
	// and cookies are marked Secure when it is https.
	BaseURL string
	// DefaultLanguage is the language used when neither the user nor the
	// browser asks for a supported one.
	DefaultLanguage string
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// ShutdownTimeout bounds how long in-flight requests may run after a
	// stop signal.
	ShutdownTimeout time.Duration
	// SQLiteSynchronous is FULL (default, durable) or NORMAL.
	SQLiteSynchronous string
	// Demo marks a demonstration instance: a banner is shown on every page.
	Demo bool
	// Letterhead and LetterSignature are printed at the head and foot of
	// decision letters (lines separated by "|"), e.g. the authority's
	// address and the signing officer's title; empty prints the
	// authority's name alone.
	Letterhead, LetterSignature string
	// MasterKeyFile holds the master keys that wrap every record's data key
	// (created 0600 on first run when it does not exist). Empty means
	// <DataDir>/master.key. HAVEN_MASTER_KEY, when set, holds the keyring
	// itself and no file is read.
	MasterKeyFile string
	// TrustedProxies lists the reverse proxies (IP addresses or CIDR
	// prefixes, comma-separated) whose X-Forwarded-For header names the
	// client; without it every client behind a proxy would share the
	// proxy's address in rate limits and sign-in throttling.
	TrustedProxies string
	// masterKeyEnv is HAVEN_MASTER_KEY; never a flag, never printed.
	masterKeyEnv string
	// AuditKeyFile holds the Ed25519 key that signs audit checkpoints.
	// Empty means <DataDir>/audit-signing.key. Replicas share one.
	AuditKeyFile string
	// SMTP sends e-mail alerts: codes and links only.
	SMTPAddr, SMTPFrom, SMTPUsername string
	SMTPStartTLS                     bool
	// smtpPassword comes from the environment or a file, never a flag.
	smtpPassword string
	// MFARoles is the comma list of roles that must sign in with a second
	// factor; empty means every role except analyst, "none" no role.
	MFARoles string
	// MFAOptional stops enforcing MFARoles (HAVEN_MFA_REQUIRED=false; the
	// demo sets it); every page then says so. The zero value enforces.
	MFAOptional bool
	// BreakGlassFor is how long an emergency (break-glass) grant lasts: at
	// most MaxBreakGlassFor. Zero means DefaultBreakGlassFor.
	BreakGlassFor time.Duration
	// MetricsTokenFile names a file holding the bearer token that lets a
	// scraper read /metrics from anywhere; the token itself may come from
	// HAVEN_METRICS_TOKEN instead, never from a flag.
	MetricsTokenFile string
	// metricsToken is the token read from the environment or the file.
	metricsToken string
	// Country is the ISO 3166-1 alpha-2 code of the state this instance
	// serves; setting it enables the Transnational Referral Mechanism
	// (docs/TRM.md). TRMName and TRMContact are published with the
	// instance's federation keys.
	Country, TRMName, TRMContact string
	// FederationKeyFile holds the instance's TRM identity (Ed25519 and
	// HPKE X25519 keys). Empty means <DataDir>/federation.key.
	FederationKeyFile string
	// LocalGovMinCount is the smallest count of a city's referral network
	// shown on the local-government pages and in CityShare profiles
	// (primary suppression); zero means 11.
	LocalGovMinCount int
}

// Emergency access is short: four hours unless configured, never more
// than a day.
const (
	DefaultBreakGlassFor = 4 * time.Hour
	MaxBreakGlassFor     = 24 * time.Hour
)

// BreakGlassDuration is how long a break-glass grant lasts.
func (c Config) BreakGlassDuration() time.Duration {
	if c.BreakGlassFor <= 0 {
		return DefaultBreakGlassFor
	}
	return c.BreakGlassFor
}

// Setting describes one setting for flags, the environment and the README.
type Setting struct {
	Flag, Env, Help string
}

// Settings lists every setting, in the order the README documents them.
var Settings = []Setting{
	{"db", "HAVEN_DATABASE", "postgres:// URL or SQLite file path (default <data>/haven.db)"},
	{"data", "HAVEN_DATA_DIR", "data folder for the embedded database and key files"},
	{"listen", "HAVEN_LISTEN", "HTTP listen address"},
	{"base-url", "HAVEN_BASE_URL", "public base URL, e.g. https://haven.example.gov"},
	{"lang", "HAVEN_DEFAULT_LANGUAGE", "default language: en, ko, th, mn or ne"},
	{"log-level", "HAVEN_LOG_LEVEL", "debug, info, warn or error"},
	{"shutdown-timeout", "HAVEN_SHUTDOWN_TIMEOUT", "time allowed for in-flight requests at shutdown"},
	{"sqlite-synchronous", "HAVEN_SQLITE_SYNCHRONOUS", "SQLite synchronous mode: FULL (durable, default) or NORMAL"},
	{"master-key-file", "HAVEN_MASTER_KEY_FILE", "file of master keys for field encryption (default <data>/master.key; HAVEN_MASTER_KEY may hold the keyring instead)"},
	{"audit-key-file", "HAVEN_AUDIT_KEY_FILE", "Ed25519 key that signs audit checkpoints (default <data>/audit-signing.key)"},
	{"mfa-roles", "HAVEN_MFA_ROLES", "comma list of roles that must use a second factor (default: every role except analyst; none: no role)"},
	{"mfa-required", "HAVEN_MFA_REQUIRED", "enforce the second factor for those roles (true, the default, or false)"},
	{"smtp-addr", "HAVEN_SMTP_ADDR", "SMTP server host:port for e-mail alerts (empty: no e-mail)"},
	{"smtp-from", "HAVEN_SMTP_FROM", "sender address of e-mail alerts"},
	{"smtp-username", "HAVEN_SMTP_USERNAME", "SMTP user name (the password comes from HAVEN_SMTP_PASSWORD or HAVEN_SMTP_PASSWORD_FILE)"},
	{"smtp-starttls", "HAVEN_SMTP_STARTTLS", "require STARTTLS (true, the default, or false for a server on loopback)"},
	{"break-glass-duration", "HAVEN_BREAK_GLASS_DURATION", "how long an emergency (break-glass) grant lasts, read-only (default 4h, at most 24h)"},
	{"country", "HAVEN_COUNTRY", "ISO 3166-1 alpha-2 code of the state this instance serves; enables the Transnational Referral Mechanism (docs/TRM.md)"},
	{"trm-name", "HAVEN_TRM_NAME", "name of the operating authority published to peer instances"},
	{"trm-contact", "HAVEN_TRM_CONTACT", "contact of the TRM focal point published to peer instances (an office address, never a person's)"},
	{"federation-key-file", "HAVEN_FEDERATION_KEY_FILE", "the instance's TRM signing and encryption keys (default <data>/federation.key)"},
	{"metrics-token-file", "HAVEN_METRICS_TOKEN_FILE", "file holding a bearer token (at least 32 characters) that lets a scraper read /metrics from anywhere; HAVEN_METRICS_TOKEN may hold the token instead"},
	{"localgov-min-count", "HAVEN_LOCALGOV_MIN_COUNT", "smallest count of a city's referral network shown to local governments (raises the statistics threshold; default 11)"},
}

// settingHelp is the help text of a flag, with its environment variable.
func settingHelp(flag string) string {
	for _, s := range Settings {
		if s.Flag == flag {
			return s.Help + " [$" + s.Env + "]"
		}
	}
	return ""
}

// Defaults returns the built-in defaults.
func Defaults() Config {
	return Config{
		DataDir:           "haven-data",
		Listen:            "127.0.0.1:8080",
		DefaultLanguage:   "en",
		LogLevel:          "info",
		ShutdownTimeout:   20 * time.Second,
		SQLiteSynchronous: "FULL",
		BreakGlassFor:     DefaultBreakGlassFor,
	}
}

// Register adds the common flags to fs, with defaults taken from the
// environment (getenv) over the built-in defaults, so flags given on the
// command line override both.
func Register(fs *flag.FlagSet, c *Config, getenv func(string) string) error {
	d := Defaults()
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	// envDuration is the duration in the environment variable name, or def
	// when it is unset; example is one written as it should be.
	envDuration := func(name string, def time.Duration, example string) (time.Duration, error) {
		v := getenv(name)
		if v == "" {
			return def, nil
		}
		t, err := time.ParseDuration(v)
		if err != nil {
			return 0, fmt.Errorf("%s: %q is not a duration such as %s", name, v, example)
		}
		return t, nil
	}
	timeout, err := envDuration("HAVEN_SHUTDOWN_TIMEOUT", d.ShutdownTimeout, "20s")
	if err != nil {
		return err
	}
	breakGlass, err := envDuration("HAVEN_BREAK_GLASS_DURATION", d.BreakGlassFor, "4h")
	if err != nil {
		return err
	}
	// The database setting may hold a password: its flag default shows only
	// that it is set, and the value is taken from the environment afterwards.
	fs.StringVar(&c.Database, "db", "", Settings[0].Help+" [$HAVEN_DATABASE]")
	c.Database = getenv("HAVEN_DATABASE")
	fs.StringVar(&c.DataDir, "data", env("HAVEN_DATA_DIR", d.DataDir), Settings[1].Help+" [$HAVEN_DATA_DIR]")
	fs.StringVar(&c.Listen, "listen", env("HAVEN_LISTEN", d.Listen), Settings[2].Help+" [$HAVEN_LISTEN]")
	fs.StringVar(&c.BaseURL, "base-url", env("HAVEN_BASE_URL", ""), Settings[3].Help+" [$HAVEN_BASE_URL]")
	fs.StringVar(&c.DefaultLanguage, "lang", env("HAVEN_DEFAULT_LANGUAGE", d.DefaultLanguage), Settings[4].Help+" [$HAVEN_DEFAULT_LANGUAGE]")
	fs.StringVar(&c.LogLevel, "log-level", env("HAVEN_LOG_LEVEL", d.LogLevel), Settings[5].Help+" [$HAVEN_LOG_LEVEL]")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", timeout, Settings[6].Help+" [$HAVEN_SHUTDOWN_TIMEOUT]")
	fs.StringVar(&c.SQLiteSynchronous, "sqlite-synchronous", env("HAVEN_SQLITE_SYNCHRONOUS", d.SQLiteSynchronous), Settings[7].Help+" [$HAVEN_SQLITE_SYNCHRONOUS]")
	fs.StringVar(&c.MasterKeyFile, "master-key-file", env("HAVEN_MASTER_KEY_FILE", ""), Settings[8].Help+" [$HAVEN_MASTER_KEY_FILE]")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", env("HAVEN_TRUSTED_PROXIES", ""), "comma list of reverse-proxy addresses or CIDR prefixes whose X-Forwarded-For is believed [$HAVEN_TRUSTED_PROXIES]")
	fs.StringVar(&c.Letterhead, "letterhead", env("HAVEN_LETTERHEAD", ""), `lines ("|" between) printed at the head of decision letters [$HAVEN_LETTERHEAD]`)
	fs.StringVar(&c.LetterSignature, "letter-signature", env("HAVEN_LETTER_SIGNATURE", ""), `lines ("|" between) of the signature block of decision letters [$HAVEN_LETTER_SIGNATURE]`)
	fs.StringVar(&c.AuditKeyFile, "audit-key-file", env("HAVEN_AUDIT_KEY_FILE", ""), Settings[9].Help+" [$HAVEN_AUDIT_KEY_FILE]")
	c.masterKeyEnv = getenv("HAVEN_MASTER_KEY")
	fs.StringVar(&c.SMTPAddr, "smtp-addr", env("HAVEN_SMTP_ADDR", ""), Settings[12].Help+" [$HAVEN_SMTP_ADDR]")
	fs.StringVar(&c.SMTPFrom, "smtp-from", env("HAVEN_SMTP_FROM", ""), Settings[13].Help+" [$HAVEN_SMTP_FROM]")
	fs.StringVar(&c.SMTPUsername, "smtp-username", env("HAVEN_SMTP_USERNAME", ""), Settings[14].Help+" [$HAVEN_SMTP_USERNAME]")
	c.SMTPStartTLS = env("HAVEN_SMTP_STARTTLS", "true") != "false"
	fs.BoolVar(&c.SMTPStartTLS, "smtp-starttls", c.SMTPStartTLS, Settings[15].Help+" [$HAVEN_SMTP_STARTTLS]")
	c.smtpPassword = getenv("HAVEN_SMTP_PASSWORD")
	if f := getenv("HAVEN_SMTP_PASSWORD_FILE"); f != "" && c.smtpPassword == "" {
		if b, err := os.ReadFile(f); err == nil {
			c.smtpPassword = strings.TrimSpace(string(b))
		}
	}
	fs.StringVar(&c.MFARoles, "mfa-roles", env("HAVEN_MFA_ROLES", ""), Settings[10].Help+" [$HAVEN_MFA_ROLES]")
	setMFARequired := func(v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		c.MFAOptional = !b
		return nil
	}
	if v := getenv("HAVEN_MFA_REQUIRED"); v != "" {
		if err := setMFARequired(v); err != nil {
			return fmt.Errorf("HAVEN_MFA_REQUIRED: %w", err)
		}
	}
	fs.BoolFunc("mfa-required", Settings[11].Help+" [$HAVEN_MFA_REQUIRED]", setMFARequired)
	fs.DurationVar(&c.BreakGlassFor, "break-glass-duration", breakGlass, settingHelp("break-glass-duration"))
	fs.StringVar(&c.Country, "country", env("HAVEN_COUNTRY", ""), settingHelp("country"))
	fs.StringVar(&c.TRMName, "trm-name", env("HAVEN_TRM_NAME", ""), settingHelp("trm-name"))
	fs.StringVar(&c.TRMContact, "trm-contact", env("HAVEN_TRM_CONTACT", ""), settingHelp("trm-contact"))
	fs.StringVar(&c.FederationKeyFile, "federation-key-file", env("HAVEN_FEDERATION_KEY_FILE", ""), settingHelp("federation-key-file"))
	fs.StringVar(&c.MetricsTokenFile, "metrics-token-file", env("HAVEN_METRICS_TOKEN_FILE", ""), settingHelp("metrics-token-file"))
	c.metricsToken = getenv("HAVEN_METRICS_TOKEN")
	minCount := 11
	if v := getenv("HAVEN_LOCALGOV_MIN_COUNT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("HAVEN_LOCALGOV_MIN_COUNT: %q is not a whole number of at least 1", v)
		}
		minCount = n
	}
	fs.IntVar(&c.LocalGovMinCount, "localgov-min-count", minCount, settingHelp("localgov-min-count"))
	return nil
}

// minMetricsToken is the shortest bearer token /metrics accepts: a guessable
// token would open the metrics to anyone who can reach the server.
const minMetricsToken = 32

// loadMetricsToken reads --metrics-token-file unless HAVEN_METRICS_TOKEN
// holds the token, and refuses a token short enough to guess.
func (c *Config) loadMetricsToken() error {
	if c.metricsToken == "" && c.MetricsTokenFile != "" {
		b, err := os.ReadFile(c.MetricsTokenFile)
		if err != nil {
			return errors.New("the metrics token file (--metrics-token-file) cannot be read")
		}
		if c.metricsToken = strings.TrimSpace(string(b)); c.metricsToken == "" {
			return errors.New("the metrics token file (--metrics-token-file) is empty")
		}
	}
	if c.metricsToken != "" && len(c.metricsToken) < minMetricsToken {
		return fmt.Errorf("the metrics token must be at least %d characters long", minMetricsToken)
	}
	return nil
}

// MetricsToken is the bearer token that opens /metrics to a scraper that is
// not a direct loopback peer; empty when none is configured.
func (c Config) MetricsToken() string { return c.metricsToken }

// WithMetricsToken returns a copy of c whose metrics token is tok, for tests
// and for programs that build a Config without flags.
func (c Config) WithMetricsToken(tok string) Config {
	c.metricsToken = tok
	return c
}

// Validate checks the settings once flags are parsed.
func (c *Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("the data folder (--data) must not be empty"))
	}
	if c.Listen == "" {
		errs = append(errs, errors.New("the listen address (--listen) must not be empty"))
	}
	if c.SMTPAddr != "" && (c.BaseURL == "" || c.SMTPFrom == "") {
		errs = append(errs, errors.New("e-mail alerts (--smtp-addr) need --base-url for their links and --smtp-from"))
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("the base URL (--base-url) must be an http or https URL"))
		}
	}
	switch strings.ToUpper(c.SQLiteSynchronous) {
	case "FULL", "NORMAL", "EXTRA":
		c.SQLiteSynchronous = strings.ToUpper(c.SQLiteSynchronous)
	default:
		errs = append(errs, fmt.Errorf("--sqlite-synchronous must be FULL, EXTRA or NORMAL"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("--log-level must be debug, info, warn or error"))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, errors.New("--shutdown-timeout must be positive"))
	}
	if c.BreakGlassFor <= 0 || c.BreakGlassFor > MaxBreakGlassFor {
		errs = append(errs, fmt.Errorf("--break-glass-duration must be positive and at most %s", MaxBreakGlassFor))
	}
	if c.Country != "" && (len(c.Country) != 2 || strings.ToUpper(c.Country) != c.Country || strings.Trim(c.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		errs = append(errs, errors.New("--country must be an ISO 3166-1 alpha-2 code such as NP"))
	}
	if c.Country != "" && c.BaseURL == "" {
		errs = append(errs, errors.New("--country needs --base-url: peer instances reach this one there"))
	}
	if err := c.loadMetricsToken(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// IsPostgres reports whether the database setting names a PostgreSQL server.
func (c *Config) IsPostgres() bool { return IsPostgresURL(c.Database) }

// IsPostgresURL reports whether s is a postgres:// or postgresql:// URL.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// SQLitePath is the embedded database file.
func (c *Config) SQLitePath() string {
	if c.Database != "" && !c.IsPostgres() {
		return c.Database
	}
	return filepath.Join(c.DataDir, "haven.db")
}

// SecureCookies reports whether cookies must carry the Secure attribute.
func (c *Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// RedactDSN removes credentials from a database URL.
func RedactDSN(s string) string {
	if !IsPostgresURL(s) {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "postgres://[unparseable]"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "redacted")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// EnsureDataDir creates the data folder with owner-only permissions.
func (c *Config) EnsureDataDir() error {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("cannot create the data folder %s: %w", c.DataDir, err)
	}
	return nil
}

// MasterKeyPath is the master key file.
func (c *Config) MasterKeyPath() string {
	if c.MasterKeyFile != "" {
		return c.MasterKeyFile
	}
	return filepath.Join(c.DataDir, "master.key")
}

// MasterKeyFromEnv returns the keyring text given in HAVEN_MASTER_KEY.
func (c *Config) MasterKeyFromEnv() string { return c.masterKeyEnv }

// AuditKeyPath is the audit checkpoint signing key file.
func (c *Config) AuditKeyPath() string {
	if c.AuditKeyFile != "" {
		return c.AuditKeyFile
	}
	return filepath.Join(c.DataDir, "audit-signing.key")
}

// FederationKeyPath is the TRM identity file.
func (c *Config) FederationKeyPath() string {
	if c.FederationKeyFile != "" {
		return c.FederationKeyFile
	}
	return filepath.Join(c.DataDir, "federation.key")
}

// TRM reports whether the Transnational Referral Mechanism is enabled.
func (c *Config) TRM() bool { return c.Country != "" }

// SMTPPassword is the SMTP password from the environment or its file.
func (c Config) SMTPPassword() string { return c.smtpPassword }
