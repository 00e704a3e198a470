# Worked example: members may not use the `smart` tier outside 08:00–20:00 UTC.
# Parameters live in `data.business_hours` (tiers, roles, start/end hour); it ships disabled.
# The WASM SDK has no time.* builtins, so the hour is read from `input.request.time`, an
# RFC 3339 UTC timestamp (`2026-11-28T14:05:00Z`) the gateway fills in.
package workjet.authz

two_digit_hours := {
	"00": 0, "01": 1, "02": 2, "03": 3, "04": 4, "05": 5, "06": 6, "07": 7,
	"08": 8, "09": 9, "10": 10, "11": 11, "12": 12, "13": 13, "14": 14, "15": 15,
	"16": 16, "17": 17, "18": 18, "19": 19, "20": 20, "21": 21, "22": 22, "23": 23,
}

# Undefined unless `request.time` is an RFC 3339 timestamp in UTC (`Z`).
utc_hour := two_digit_hours[substring(t, 11, 2)] if {
	t := input.request.time
	is_string(t)
	endswith(t, "Z")
	substring(t, 10, 1) == "T"
}

business_hours_apply if {
	data.business_hours.enabled == true
	input.action == "model.invoke"
	input.resource.type == "tier"
	input.resource.id in data.business_hours.tiers
	role_name in data.business_hours.roles
}

within_business_hours if {
	utc_hour >= data.business_hours.start_hour
	utc_hour < data.business_hours.end_hour
}

deny contains concat("", ["tier ", input.resource.id, " is only available to ", role_name, "s between ", hours, " UTC"]) if {
	business_hours_apply
	not within_business_hours
	hours := concat("", [format_int(data.business_hours.start_hour, 10), ":00 and ", format_int(data.business_hours.end_hour, 10), ":00"])
}
