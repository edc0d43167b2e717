package model

import (
	"fmt"
	"strconv"
	"strings"
)

// tbGatewayID reads the gateway ID from gateway_uuid or id. Whichever is 32
// hex counts; if both are and they differ the table is ambiguous. A table
// with neither has no ID of its own: it takes the gateway it is imported into.
func tbGatewayID(root *object) (string, error) {
	uuid, _ := tbString(field(root, "gateway_uuid"))
	id, _ := tbString(field(root, "id"))
	uuidOK, idOK := IsHexID(uuid, GatewayIDLen), IsHexID(id, GatewayIDLen)
	switch {
	case uuidOK && idOK && uuid != id:
		return "", fmt.Errorf("gateway_uuid %s and id %s differ", uuid, id)
	case uuidOK:
		return uuid, nil
	case idOK:
		return id, nil
	case uuid == "" && id == "":
		return "", nil
	}
	return "", fmt.Errorf("neither id %q nor gateway_uuid %q is %d lowercase hex digits", id, uuid, GatewayIDLen)
}

// gatewayLocation reads the location: a "location" text if present, else
// "lat,lon" from latitude and longitude, which stay in Raw as they were.
func gatewayLocation(root *object) (string, error) {
	loc, err := tbString(field(root, "location"))
	if err != nil || loc != "" {
		return loc, err
	}
	lat, err := tbString(field(root, "latitude"))
	if err != nil {
		return "", fmt.Errorf("latitude: %v", err)
	}
	lon, err := tbString(field(root, "longitude"))
	if err != nil {
		return "", fmt.Errorf("longitude: %v", err)
	}
	if lat == "" && lon == "" {
		return "", nil
	}
	return lat + "," + lon, nil
}

// splitLatLon parses a "lat,lon" location into its two numbers' texts.
func splitLatLon(loc string) (lat, lon string, ok bool) {
	lat, lon, ok = strings.Cut(loc, ",")
	if !ok {
		return "", "", false
	}
	lat, lon = strings.TrimSpace(lat), strings.TrimSpace(lon)
	if _, err := strconv.ParseFloat(lat, 64); err != nil {
		return "", "", false
	}
	if _, err := strconv.ParseFloat(lon, 64); err != nil {
		return "", "", false
	}
	return lat, lon, true
}
