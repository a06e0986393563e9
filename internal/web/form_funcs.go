package web

import "github.com/haven-nrm/haven/internal/vocab"

type eventArgs struct {
	P                   *page
	Type, Country, Date string
	Countries           []string
}

type fieldArgs struct {
	P                             *page
	Name, Value, Type, Max, Error string
}

func init() {
	// Sub-templates of the intake form receive the page plus their own
	// arguments.
	templateFuncs["eventArgs"] = func(p *page, typ string) eventArgs {
		a := eventArgs{P: p, Type: typ, Countries: vocab.Countries}
		if f, ok := p.Data.(*referralForm); ok {
			for _, e := range f.R.Events {
				if e.Type == typ {
					a.Country, a.Date = e.Country, e.Date
				}
			}
		}
		return a
	}
	templateFuncs["fieldArgs"] = func(p *page, name, value, typ, max string) fieldArgs {
		a := fieldArgs{P: p, Name: name, Value: value, Type: typ, Max: max}
		if f, ok := p.Data.(*referralForm); ok {
			a.Error = f.Errors[name]
		}
		return a
	}
}
