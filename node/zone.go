package node

import (
	"os"
	"strings"
	"time"

	"hearth/protocol"
)

// HubZone is the hub's time zone: listings.default_timezone, else this
// machine's zone if it has an IANA name (TZ, then the /etc/localtime link),
// else UTC. It is the one answer to "what day is it at the hub": for a
// "today" filter from the CLI, the member page or the JSON API, for a
// member's day count and check-in times, for the date on a printed
// schedule; and it is the zone of meetings written without one.
func HubZone(cfg Config) *time.Location {
	if tz := cfg.Listings.DefaultTimezone; tz != "" {
		if loc, err := protocol.LoadTimezone(tz); err == nil {
			return loc
		}
	}
	if loc, err := protocol.LoadTimezone(machineZone()); err == nil {
		return loc
	}
	return time.UTC
}

// Zone is the hub's time zone (HubZone of its config).
func (n *Node) Zone() *time.Location { return HubZone(n.cfg) }

// machineZone is the IANA name of this machine's zone, from TZ or the
// /etc/localtime link; "" if neither names one.
func machineZone() string {
	if tz := os.Getenv("TZ"); tz != "" {
		return strings.TrimPrefix(tz, ":")
	}
	target, err := os.Readlink("/etc/localtime")
	if err != nil {
		return ""
	}
	if _, zone, ok := strings.Cut(target, "zoneinfo/"); ok {
		return zone
	}
	return ""
}
