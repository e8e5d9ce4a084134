#include "emergency/resource.h"

#include <gtest/gtest.h>

namespace xietong::emergency {
namespace {

TEST(IncidentServiceTest, Placeholder) { EXPECT_TRUE(Compatible("evacuation", "shelter")); }

}  // namespace
}  // namespace xietong::emergency
