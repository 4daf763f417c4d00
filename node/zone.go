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
	loc, _ := hubZone(cfg)
	return loc
}

// Where the hub's zone comes from (Status.ZoneFrom).
const (
	ZoneFromConfig  = "config"  // listings.default_timezone
	ZoneFromMachine = "machine" // not set: this machine's zone
	ZoneFromNone    = "none"    // not set, and the machine names none: UTC
)

// hubZone is HubZone and where it came from.
func hubZone(cfg Config) (*time.Location, string) {
	if tz := cfg.Listings.DefaultTimezone; tz != "" {
		if loc, err := protocol.LoadTimezone(tz); err == nil {
			return loc, ZoneFromConfig
		}
	}
	if loc, err := protocol.LoadTimezone(machineZone()); err == nil {
		return loc, ZoneFromMachine
	}
	return time.UTC, ZoneFromNone
}

// MachineZone is this machine's IANA zone, as a hub's zone would be taken
// from it, and whether it is worth taking: "" or false when the machine
// names no zone, or names UTC, which is what servers and containers are
// set to wherever they stand, and the wrong day for most hubs' members.
func MachineZone() (name string, useful bool) {
	name = machineZone()
	loc, err := protocol.LoadTimezone(name)
	if err != nil {
		return "", false
	}
	switch loc.String() {
	case "UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/GMT", "GMT", "Universal", "Zulu", "Etc/Universal", "Etc/Zulu":
		return loc.String(), false
	}
	return loc.String(), true
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
