package web

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/errs"
)

// The calendar page of a jurisdiction: its versions, the holidays of the
// newest by year, a holiday added or removed by hand, an iCalendar file
// uploaded, Haven's sample loaded. Every change is a new version made by
// the admin service (which decides access and audits it); running
// deadlines keep the version they started with.

// calendarPage is the page's data: the calendar, a refusal's message or
// the version a change just made.
type calendarPage struct {
	Cal   admin.CalendarPage
	Error string
	Made  int64
}

func calendarPath(code string) string { return "/admin/jurisdictions/" + code + "/calendar" }

// adminCalendar shows a jurisdiction's calendar; ?made=N says which
// version a change just made.
func (s *Server) adminCalendar(w http.ResponseWriter, r *http.Request) error {
	made, _ := strconv.ParseInt(r.URL.Query().Get("made"), 10, 64)
	return s.renderCalendar(w, r, http.StatusOK, calendarPage{Made: max(made, 0)})
}

func (s *Server) renderCalendar(w http.ResponseWriter, r *http.Request, status int, d calendarPage) error {
	c, err := s.admin().Calendar(r.Context(), by(r), r.PathValue("code"))
	if err != nil {
		return err
	}
	d.Cal = c
	return s.render(w, status, "calendar", s.newPage(r, "setup.calendar.title", "admin", d))
}

// calendarDone answers a change: back to the page, naming the new
// version, or the page again with the refusal.
func (s *Server) calendarDone(w http.ResponseWriter, r *http.Request, made admin.CalendarImport, err error) error {
	if err != nil {
		return s.adminRefused(w, r, err, func(msg string) error {
			return s.renderCalendar(w, r, http.StatusUnprocessableEntity, calendarPage{Error: msg})
		})
	}
	http.Redirect(w, r, calendarPath(r.PathValue("code"))+"?made="+strconv.FormatInt(made.Version, 10), http.StatusSeeOther)
	return nil
}

func holidayInput(r *http.Request) (admin.HolidayInput, error) {
	if err := r.ParseForm(); err != nil {
		return admin.HolidayInput{}, errs.Wrap(errs.Invalid, err)
	}
	f := r.PostForm
	return admin.HolidayInput{Date: f.Get("date"), Name: f.Get("name"), Version: f.Get("version")}, nil
}

// holidayAdd adds a holiday by hand.
func (s *Server) holidayAdd(w http.ResponseWriter, r *http.Request) error {
	return s.holidayChange(w, r, s.admin().AddHoliday)
}

// holidayRemove removes a holiday.
func (s *Server) holidayRemove(w http.ResponseWriter, r *http.Request) error {
	return s.holidayChange(w, r, s.admin().RemoveHoliday)
}

// holidayChange makes one change to a calendar's holidays with the form.
func (s *Server) holidayChange(w http.ResponseWriter, r *http.Request,
	change func(context.Context, admin.By, string, admin.HolidayInput) (admin.CalendarImport, error)) error {
	in, err := holidayInput(r)
	if err != nil {
		return err
	}
	made, err := change(r.Context(), by(r), r.PathValue("code"), in)
	return s.calendarDone(w, r, made, err)
}

// calendarImport reads an uploaded iCalendar file (the body is bounded by
// maxBodyBytes, the file by calendar.MaxICSBytes) into a new version; a
// post without a file is refused on the field "file".
func (s *Server) calendarImport(w http.ResponseWriter, r *http.Request) error {
	var data []byte
	var name string
	if err := r.ParseMultipartForm(maxBodyBytes); err == nil {
		defer r.MultipartForm.RemoveAll()
		if f, h, err := r.FormFile("file"); err == nil {
			defer f.Close()
			if data, err = io.ReadAll(f); err != nil {
				return errs.Wrap(errs.Invalid, err)
			}
			name = h.Filename
		}
	} else if err != http.ErrNotMultipart {
		return errs.Wrap(errs.Invalid, err)
	}
	made, err := s.admin().ImportICS(r.Context(), by(r), r.PathValue("code"), data, name)
	return s.calendarDone(w, r, made, err)
}

// calendarSample loads Haven's sample holidays for the country.
func (s *Server) calendarSample(w http.ResponseWriter, r *http.Request) error {
	made, err := s.admin().LoadSample(r.Context(), by(r), r.PathValue("code"))
	return s.calendarDone(w, r, made, err)
}
