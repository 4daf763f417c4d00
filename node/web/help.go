package web

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strings"

	"hearth/node/members"
)

// crisisLine is one of the hub's crisis lines, as config writes it
// ("Name: number"), with a link that dials it.
type crisisLine struct {
	Name   string
	Number string
	Tel    template.URL
}

// crisisLines are the configured lines, in order: the first is the one the
// page names in "If you are in danger, call …".
func (s *server) crisisLines() []crisisLine {
	var out []crisisLine
	for _, line := range s.cfg.Help.CrisisLines {
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
	v.Data = s.crisisLines()
	s.render(w, r, http.StatusOK, "help", v)
}

// apiCheckIns is GET /api/v1/me/checkins: the signed-in member's own
// check-ins, newest first, as the JSON export writes them.
func (s *server) apiCheckIns(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	sess := s.requestState(r).sess
	if sess == nil {
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]string{"error": "sign in at /signin first"})
		return
	}
	sess.mu.Lock()
	checkIns, err := sess.acct.CheckIns()
	sess.mu.Unlock()
	if errors.Is(err, members.ErrErased) {
		s.session.endAll(sess.nick)
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]string{"error": "this account was erased"})
		return
	}
	if err != nil {
		s.log.Error("web: read check-ins", "err", err)
		w.WriteHeader(http.StatusInternalServerError)
		json.NewEncoder(w).Encode(map[string]string{"error": "check-ins unavailable"})
		return
	}
	json.NewEncoder(w).Encode(members.ExportCheckIns(checkIns))
}
