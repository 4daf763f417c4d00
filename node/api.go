package node

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"hearth/node/finder"
)

// MaxAPIMeetings is the most meetings one GET /api/v1/meetings answers
// with, whatever limit it asks: an answer is built whole in memory, and a
// hub may hold a hundred thousand listings. The whole set is the Meeting
// Guide feed, /meetings.json.
const MaxAPIMeetings = 500

// APIHandler serves the public JSON API: GET /api/v1/status and
// GET /api/v1/meetings (at most MaxAPIMeetings). Nothing member-written is
// reachable here.
func APIHandler(n *Node) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/status", func(w http.ResponseWriter, r *http.Request) {
		s, err := n.Status(r.Context())
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "status unavailable"})
			return
		}
		// Operator-only detail stays on the operator socket.
		writeJSON(w, http.StatusOK, map[string]any{
			"id": s.ID, "name": s.Name, "running": s.Running, "web": s.Web, "peers": s.Peers, "listings": s.Listings,
		})
	})
	mux.HandleFunc("GET /api/v1/meetings", func(w http.ResponseWriter, r *http.Request) {
		q, err := QueryFromURL(r.URL.Query())
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if q.Limit <= 0 || q.Limit > MaxAPIMeetings {
			q.Limit = MaxAPIMeetings
		}
		ms, err := n.Meetings(r.Context(), q)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "meetings unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, ms)
	})
	return mux
}

// QueryFromURL reads a finder query from URL parameters: day, time
// (morning, midday, evening, night), type (repeated), region, language,
// attendance, q, near (LAT,LON) with radius (default 5 km), hub, all and
// limit. Its errors are one line that says what to send instead.
func QueryFromURL(v map[string][]string) (finder.Query, error) {
	get := func(k string) string {
		if vs := v[k]; len(vs) > 0 {
			return strings.TrimSpace(vs[0])
		}
		return ""
	}
	var q finder.Query
	var err error
	if d := get("day"); d != "" {
		day, err := ParseDay(d)
		if err != nil {
			return q, err
		}
		q.Day = &day
	}
	if q.Window, err = finder.ParseWindow(get("time")); err != nil {
		return q, err
	}
	for _, t := range v["type"] {
		if t = strings.TrimSpace(t); t != "" {
			q.Types = append(q.Types, t)
		}
	}
	q.Region = get("region")
	q.Language = get("language")
	if a := get("attendance"); a != "" {
		if q.Attendance, err = finder.ParseAttendance(a); err != nil {
			return q, err
		}
	}
	q.Text = get("q")
	if near := get("near"); near != "" {
		p, err := finder.ParsePoint(near)
		if err != nil {
			return q, err
		}
		q.Near = &p
		q.RadiusKm = DefaultRadiusKm
		if r := get("radius"); r != "" {
			if q.RadiusKm, err = finder.ParseRadius(r); err != nil {
				return q, err
			}
		}
	}
	q.Hub = get("hub")
	q.IncludeCancelled = get("all") == "1" || get("all") == "true"
	if l := get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			return q, errBadLimit
		}
		q.Limit = n
	}
	return q, nil
}

// DefaultRadiusKm is how far "near" reaches when no radius is given: a walk
// or a short bus ride.
const DefaultRadiusKm = 5

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
