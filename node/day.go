package node

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

var errBadLimit = errors.New("limit must be a whole number")

var dayNames = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// ParseDay reads a day as 0-6 (0 = Sunday, as the Meeting Guide spec) or a
// day name, whole or its first three letters, in any case.
func ParseDay(s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if d, err := strconv.Atoi(s); err == nil && d >= 0 && d <= 6 {
		return d, nil
	}
	for i, name := range dayNames {
		if len(s) >= 3 && strings.HasPrefix(name, s) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("day %q: use 0-6 (0 = Sunday) or a day name such as tuesday", s)
}

// DayName is the English name of day 0-6.
func DayName(d int) string {
	if d < 0 || d > 6 {
		return ""
	}
	return strings.ToUpper(dayNames[d][:1]) + dayNames[d][1:]
}
