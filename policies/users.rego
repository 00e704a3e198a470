# Users and roles (the admin API's users.write): no escalation. The gateway passes what it
# knows about the target user as data in the input, so the rules stay pure:
#   resource.role         the target user's current role (absent when the user is being created)
#   resource.new_role     the role asked for (create and change; absent on removal)
#   resource.owner_count  how many owners the tenant has now
package workjet.authz

user_write if {
	input.action == "users.write"
	input.resource.type == "user"
}

owner_role_involved if input.resource.role == "owner"

owner_role_involved if input.resource.new_role == "owner"

may_write_owner_role if {
	some role in effective_roles
	"roles.owner.write" in data.roles[role].grants
}

# Creating, promoting to, demoting from or removing an owner needs roles.owner.write.
deny contains "only an owner may grant, change or remove the owner role" if {
	user_write
	owner_role_involved
	not may_write_owner_role
}

# Role changes always come from someone else, so nobody can raise (or drop) their own.
deny contains "nobody may change their own role" if {
	user_write
	input.resource.id == user_name
	input.resource.role
	input.resource.new_role
}

# A tenant never loses its last owner: a removal has no new_role, a demotion a different one.
leaves_no_owner if not input.resource.new_role

leaves_no_owner if input.resource.new_role != "owner"

deny contains "the last owner cannot be removed or demoted" if {
	user_write
	input.resource.role == "owner"
	leaves_no_owner
	not more_than_one_owner
}

# A count that is not a number proves nothing (in Rego a string compares above every number).
more_than_one_owner if {
	is_number(input.resource.owner_count)
	input.resource.owner_count > 1
}
