package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/directory"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/servicedir"
	"github.com/haven-nrm/haven/internal/support"
)

type serviceRow struct {
	servicedir.Row
	StatusKey string
}

type servicesPage struct {
	Services      []serviceRow
	Organizations []directory.Organization // the viewer's agency's, for the forms
	Locations     []directory.LocationView // the viewer's agency's
	CanManage     bool
	Types         []string
	Statuses      []string
	Units         []string
	Error         string
}

// directory is the service-directory service.
func (s *Server) directory() *servicedir.Service { return s.Services.Directory }

// directoryPage reads the directory as the principal may see it, with the
// code lists of the forms.
func (s *Server) directoryPage(r *http.Request) (servicesPage, error) {
	list, err := s.directory().List(r.Context(), principal(r))
	if err != nil {
		return servicesPage{}, err
	}
	page := servicesPage{Types: cases.ServiceCodes(), CanManage: list.CanManage, Organizations: list.Organizations, Locations: list.Locations}
	for _, st := range directory.Statuses() {
		page.Statuses = append(page.Statuses, string(st))
	}
	for _, u := range directory.CapacityUnits() {
		page.Units = append(page.Units, string(u))
	}
	for _, row := range list.Services {
		page.Services = append(page.Services, serviceRow{Row: row, StatusKey: strings.ReplaceAll(string(row.Service.Status), " ", "_")})
	}
	return page, nil
}

// servicesIndex shows the service directory.
func (s *Server) servicesIndex(w http.ResponseWriter, r *http.Request) error {
	page, err := s.directoryPage(r)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "services", s.newPage(r, "nav.services", "services", page))
}

// directoryDone returns to the directory after a write, or shows it again
// with the reason a record was refused.
func (s *Server) directoryDone(w http.ResponseWriter, r *http.Request, err error) error {
	if err == nil {
		http.Redirect(w, r, "/services", http.StatusSeeOther)
		return nil
	}
	if errs.KindOf(err) != errs.Invalid {
		return err
	}
	page, perr := s.directoryPage(r)
	if perr != nil {
		return perr
	}
	page.Error = s.refusalMessage(r, err)
	return s.render(w, http.StatusUnprocessableEntity, "services", s.newPage(r, "nav.services", "services", page))
}

// organizationCreate adds an organisation run by the user's agency.
func (s *Server) organizationCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	f := r.PostForm
	_, err := s.directory().CreateOrganization(r.Context(), principal(r),
		servicedir.NewOrganization{Name: f.Get("name"), Description: f.Get("description")})
	return s.directoryDone(w, r, err)
}

// locationCreate adds a location; the service seals its name and address,
// and a confidential one shows others only its area.
func (s *Server) locationCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	f := r.PostForm
	in := servicedir.NewLocation{Organization: f.Get("organization"), Name: f.Get("name"), Confidential: f.Get("confidential") == "true",
		Area: f.Get("area"), Address: directory.Address{Line1: f.Get("address_1"), City: f.Get("city"), Region: f.Get("region"),
			PostalCode: f.Get("postal_code"), Country: f.Get("country")}}
	_, err := s.directory().CreateLocation(r.Context(), principal(r), in)
	return s.directoryDone(w, r, err)
}

// serviceCreate adds a service of one of the agency's organisations,
// delivered at one of its locations.
func (s *Server) serviceCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	in, err := decodeService(r)
	if err == nil {
		_, err = s.directory().CreateService(r.Context(), principal(r), in)
	}
	return s.directoryDone(w, r, err)
}

// decodeService reads the service form: counts and ages as numbers, the
// languages as a list, and who the service is for.
func decodeService(r *http.Request) (servicedir.NewService, error) {
	f := r.PostForm
	total, err1 := strconv.Atoi(strings.TrimSpace(orZero(f.Get("capacity_total"))))
	avail, err2 := strconv.Atoi(strings.TrimSpace(orZero(f.Get("capacity_available"))))
	if err1 != nil || err2 != nil {
		return servicedir.NewService{}, errs.Field("capacity", "directory.error.capacity", nil)
	}
	// Languages come chosen from a list (several values) or typed as codes.
	langs := strings.FieldsFunc(strings.Join(f["languages"], " "), func(r rune) bool { return r == ',' || r == ' ' })
	elig := directory.Eligibility{Description: f.Get("eligibility_description")}
	for field, dst := range map[string]**int{"min_age": &elig.MinAge, "max_age": &elig.MaxAge} {
		if v := strings.TrimSpace(f.Get(field)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return servicedir.NewService{}, errs.Field(field, "directory.error.invalid_age", nil)
			}
			*dst = &n
		}
	}
	switch f.Get("for_whom") {
	case "children":
		elig.ChildrenOnly = true
	case "adults":
		elig.AdultsOnly = true
	case "", "everyone":
	default:
		return servicedir.NewService{}, errs.Field("for_whom", "directory.error.eligibility_conflict", nil)
	}
	return servicedir.NewService{Organization: f.Get("organization"), Location: f.Get("location"), Type: support.ServiceType(f.Get("type")),
		Name: f.Get("name"), Description: f.Get("description"), Status: directory.Status(f.Get("status")), Languages: langs,
		Eligibility: elig, Capacity: directory.Capacity{Total: total, Available: avail, Unit: directory.Unit(f.Get("unit"))}}, nil
}

func orZero(s string) string {
	if strings.TrimSpace(s) == "" {
		return "0"
	}
	return s
}
