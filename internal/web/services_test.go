package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/access"
)

// TestSafeHouseAddressOnServicesPage: the shelter registers a safe house
// and a service at it. Its own staff see the name and address; a case
// worker of another agency, the police and the competent authority see only
// the area; the address is not stored in clear.
func TestSafeHouseAddressOnServicesPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		shelter := f.login(t, access.ShelterStaff)
		post := func(c *http.Client, path string, v url.Values) {
			t.Helper()
			resp, err := c.PostForm(f.srv.URL+path, v)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST %s: %d", path, resp.StatusCode)
			}
		}
		post(shelter, "/services/organizations", url.Values{"name": {"Lakeside Shelter Trust"}})
		var org string
		if err := f.db.R().QueryRowContext(context.Background(), `SELECT id FROM hsds_organizations`).Scan(&org); err != nil {
			t.Fatal(err)
		}
		post(shelter, "/services/locations", url.Values{"organization": {org}, "name": {"Bluehouse Refuge"}, "confidential": {"true"},
			"area": {"Ward 6"}, "address_1": {"17 Quietlane Road"}, "city": {"Pokhara"}, "country": {"NP"}})
		var loc string
		if err := f.db.R().QueryRowContext(context.Background(), `SELECT id FROM hsds_locations`).Scan(&loc); err != nil {
			t.Fatal(err)
		}
		post(shelter, "/services/services", url.Values{"organization": {org}, "type": {"short_term_shelter"}, "name": {"Emergency beds"},
			"status": {"active"}, "languages": {"ne en"}, "capacity_total": {"12"}, "capacity_available": {"3"}, "unit": {"beds"}, "location": {loc},
			"for_whom": {"adults"}, "min_age": {"18"}, "eligibility_description": {"Women and their children"}})
		_, own := get(t, shelter, f.srv.URL+"/services")
		if !strings.Contains(own, "Adults only") || !strings.Contains(own, "Women and their children") {
			t.Fatal("the service's eligibility is not shown")
		}
		if !strings.Contains(own, "17 Quietlane Road") || !strings.Contains(own, "Bluehouse Refuge") {
			t.Fatal("the shelter's own staff do not see the safe house's address")
		}
		for _, role := range []access.Role{access.CaseWorker, access.PoliceInvestigator, access.CompetentAuthority, access.Analyst} {
			_, body := get(t, f.login(t, role), f.srv.URL+"/services")
			if strings.Contains(body, "Quietlane") || strings.Contains(body, "Bluehouse") {
				t.Fatalf("%s sees the safe house's name or address", role)
			}
			if !strings.Contains(body, "Ward 6") || !strings.Contains(body, "Emergency beds") {
				t.Fatalf("%s does not see the service and its area", role)
			}
		}
		var n int
		if err := f.db.R().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM hsds_locations WHERE name LIKE '%Bluehouse%'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("the safe house's name is stored in clear (%d, %v)", n, err)
		}
	})
}
