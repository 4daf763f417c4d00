package finder

import "math"

// earthRadiusKm is the Earth's mean radius (IUGG): the haversine formula
// with it is within about 0.5% of the true distance anywhere, closer than
// any meeting's published position.
const earthRadiusKm = 6371.0088

// boxSlack, in radians (about 6 m), covers the rounding of a position to
// float32 (under a metre).
const boxSlack = 1e-6

func radians(deg float64) float64 { return deg * math.Pi / 180 }

// haversineKm is the great-circle distance between two points given in
// radians, with the cosines of their latitudes worked out beforehand.
func haversineKm(lat1, lon1, cos1, lat2, lon2, cos2 float64) float64 {
	sinLat := math.Sin((lat2 - lat1) / 2)
	sinLon := math.Sin((lon2 - lon1) / 2)
	a := sinLat*sinLat + cos1*cos2*sinLon*sinLon
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(min(a, 1)))
}

// geoQuery is Query.Near and RadiusKm made ready: a latitude/longitude box
// around the circle rules most listings out with four comparisons, so the
// trigonometry runs only for those inside it.
type geoQuery struct {
	lat, lon, cosLat float64 // radians
	radiusKm         float64 // 0: no radius filter, distance only
	latMin, latMax   float64
	lonMin, lonMax   float64 // may pass ±π; see inBox
	allLon           bool    // the circle holds a pole: every longitude
}

func newGeoQuery(p Point, radiusKm float64) *geoQuery {
	g := &geoQuery{lat: radians(p.Lat), lon: radians(p.Lon), radiusKm: radiusKm}
	g.cosLat = math.Cos(g.lat)
	if radiusKm <= 0 {
		return g
	}
	ang := radiusKm / earthRadiusKm
	// Widened by boxSlack, as the box is tested on float32 positions.
	g.latMin, g.latMax = g.lat-ang-boxSlack, g.lat+ang+boxSlack
	if g.latMax >= math.Pi/2 || g.latMin <= -math.Pi/2 || ang >= math.Pi/2 {
		g.allLon = true
		return g
	}
	// The widest longitude span of a circle on a sphere (not ang/cosLat,
	// which is too narrow away from the equator).
	dLon := math.Asin(math.Sin(ang) / g.cosLat)
	g.lonMin, g.lonMax = g.lon-dLon-boxSlack, g.lon+dLon+boxSlack
	return g
}

// inBox reports whether h might be within the radius.
func (g *geoQuery) inBox(h *hotEntry) bool {
	if !h.hasPos {
		return false
	}
	if lat := float64(h.lat); lat < g.latMin || lat > g.latMax {
		return false
	}
	if g.allLon {
		return true
	}
	// The box may cross the antimeridian: try the longitude a turn either way.
	lon := float64(h.lon)
	return lon >= g.lonMin && lon <= g.lonMax ||
		lon+2*math.Pi <= g.lonMax || lon-2*math.Pi >= g.lonMin
}

func (g *geoQuery) distanceKm(e *entry) float64 {
	return haversineKm(g.lat, g.lon, g.cosLat, e.lat, e.lon, e.cosLat)
}
