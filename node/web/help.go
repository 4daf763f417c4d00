package web

import (
	"html/template"
	"net/http"
	"strings"
)

// crisisLine is one of the hub's crisis lines, as config writes it
// ("Name: number"), with a link that dials it.
type crisisLine struct {
	Name   string
	Number string
	Tel    template.URL
}

// crisisLines are the configured lines (help.crisis_lines), in order: the
// first is the one the page names in "If you are in danger, call …".
func crisisLines(lines []string) []crisisLine {
	var out []crisisLine
	for _, line := range lines {
		name, number, ok := strings.Cut(line, ":")
		if !ok {
			name, number = "", line
		}
		c := crisisLine{Name: strings.TrimSpace(name), Number: strings.TrimSpace(number)}
		c.Tel = telURL(c.Number)
		out = append(out, c)
	}
	return out
}

func (s *server) help(w http.ResponseWriter, r *http.Request) {
	v := s.newView(w, r, "help.title")
	v.Crisis = crisisLines(s.cfg.Help.CrisisLines)
	s.render(w, r, http.StatusOK, "help", v)
}
