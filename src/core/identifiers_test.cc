#include "core/identifiers.h"

#include <gtest/gtest.h>

namespace xietong {
namespace {

TEST(Identifiers, CheckDigitsAndDates) {
  EXPECT_TRUE(ValidIdNumber("11010519491231002X"));
  EXPECT_FALSE(ValidIdNumber("110105194912310021"));  // wrong check digit
  EXPECT_FALSE(ValidIdNumber("110105194902300028"));  // 30 February
  EXPECT_FALSE(ValidIdNumber("11010519491231002"));
  EXPECT_TRUE(ValidUscc("91330100MA2B3C4D5N"));
  EXPECT_FALSE(ValidUscc("91330100MA2B3C4D5M"));  // wrong check character
  EXPECT_FALSE(ValidUscc("91330100MA2B3C4D5I"));  // I is not a USCC character
  EXPECT_TRUE(ValidMobile("13812345678"));
  EXPECT_FALSE(ValidMobile("12812345678"));
  EXPECT_TRUE(ValidDate("2024-02-29"));
  EXPECT_FALSE(ValidDate("2023-02-29"));
  EXPECT_TRUE(ValidDivisionCode("330102"));
  EXPECT_FALSE(ValidDivisionCode("990102"));
  EXPECT_FALSE(ValidDivisionCode("33010"));
}

TEST(Identifiers, Masks) {
  EXPECT_EQ(MaskKeepEnds("110105194912310021"), "110***********0021");
  EXPECT_EQ(MaskKeepEnds("13812345678"), "138****5678");
  EXPECT_EQ(MaskKeepEnds("short"), "*****");
  EXPECT_EQ(MaskName("张三"), "张*");
  EXPECT_EQ(MaskName("欧阳明月"), "欧***");
  EXPECT_EQ(MaskName(""), "");
}

}  // namespace
}  // namespace xietong
