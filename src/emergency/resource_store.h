// The SQL of needs, resources (shelters among them) and commitments, written
// once for both backends. Decides no rule; the service calls it, and the
// crowd-report part turns a verified report into a need with InsertNeed in
// its own transaction.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "emergency/resource.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::emergency::store {

using storage::Executor;

// emergency/4: needs, resources, commitments (and their idempotency keys);
// emergency/6: reserves (a unit's standing resources) and deployments.
std::span<const storage::Migration> ResourceMigrations();

// Inserts a need made by MakeNeed (after ValidateNeed) and appends a
// "need_added" entry to the incident's timeline; the caller writes the
// audit event. Returns the need as stored.
Result<Need> InsertNeed(Executor& ex, const Need& n, std::string_view actor_name);
Result<std::optional<Need>> FindNeed(Executor& ex, std::string_view id);
// Most urgent first, then oldest.
Result<std::vector<Need>> Needs(Executor& ex, std::string_view incident_id);
// Counters, when the row is still at n.version - 1.
Result<bool> UpdateNeed(Executor& ex, const Need& n);

Result<void> InsertResource(Executor& ex, const Resource& r);
Result<std::optional<Resource>> FindResource(Executor& ex, std::string_view id);
Result<std::vector<Resource>> Resources(Executor& ex, std::string_view incident_id);
// Quantity, counters and availability, when the row is still at r.version - 1.
Result<bool> UpdateResource(Executor& ex, const Resource& r);
// Every unit's reserves (incident_id ''), of one kind or all ("").
Result<std::vector<Resource>> Reserves(Executor& ex, std::string_view kind);

Result<void> InsertCommitment(Executor& ex, const Commitment& c);
Result<std::optional<Commitment>> FindCommitment(Executor& ex, std::string_view id);
// Oldest first.
Result<std::vector<Commitment>> Commitments(Executor& ex, std::string_view incident_id);
// Status and times, when the row is still in `from`.
Result<bool> UpdateCommitmentStatus(Executor& ex, const Commitment& c, CommitmentStatus from);

// A commitment's idempotency key: the first commitment a retry answers.
Result<std::optional<std::string>> CommitmentForKey(Executor& ex, std::string_view actor_id,
                                                    std::string_view key);
Result<void> InsertCommitmentKey(Executor& ex, std::string_view actor_id, std::string_view key,
                                 std::string_view commitment_id);

}  // namespace xietong::emergency::store
