#include "app/exchange_work.h"

#include <fmt/core.h>

namespace xietong::app {

Result<int> FileDataQualityWork(Platform& p) {
  XT_ASSIGN_OR_RETURN(auto pending, p.exchange().PendingDefectWork(50));
  if (pending.empty()) return 0;
  XT_ASSIGN_OR_RETURN(auto catalog, p.matters().Snapshot());
  const matters::Matter* matter = catalog->FindByCode(kDataQualityMatterCode);
  if (!matter)
    return Fail(Error::Unavailable(fmt::format(
        "{} data quality defect batches wait: the matter {} (政务数据质量) is not defined",
        pending.size(), kDataQualityMatterCode)));
  const identity::Principal system = identity::Principal::System();
  int filed = 0;
  for (const auto& w : pending) {
    requests::Intake in;
    in.channel = requests::Channel::kApi;
    in.title = w.title;
    in.text = w.body;
    in.matter_id = matter->id;
    in.anonymous = true;
    in.idempotency_key = "exchange-defects:" + w.import_id;
    XT_ASSIGN_OR_RETURN(auto submitted, p.requests().Submit(system, in));
    requests::CommandInput dispatch;
    dispatch.command = requests::Command::kDispatch;
    dispatch.unit_id = w.owner_unit_id;
    dispatch.reason = "数据质量缺陷由数据所属部门核实更正";
    dispatch.idempotency_key = "exchange-defects-dispatch:" + w.import_id;
    if (submitted.request.status == requests::Status::kReceived) {
      XT_TRY_VOID(p.requests().Apply(system, submitted.request.id, dispatch));
    }
    XT_TRY_VOID(p.exchange().DefectWorkFiled(w.import_id, submitted.request.id));
    ++filed;
  }
  return filed;
}

}  // namespace xietong::app
