// Classifier::Save/Load (a file) and SaveBytes/LoadBytes (the same bytes in
// memory, e.g. for a database): the model format.
//
//   "XTTEXTCL"  u32 version  u64 payload_bytes  payload  u32 crc32(payload)
//   payload: f32 title_own, u32 char_ngram_max, u32 words, f32 title_weight,
//            f32 score_scale, u32 label count, labels (u32 length + UTF-8),
//            u64 features, u64 keys[features], f32 idf[features],
//            f32 weights[features × labels], f32 bias[labels]
// Little-endian, as the machines we run on are.
#include <fmt/core.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "text/classifier.h"

namespace xietong::text {
namespace {

constexpr char kMagic[8] = {'X', 'T', 'T', 'E', 'X', 'T', 'C', 'L'};
constexpr std::uint32_t kMaxLabels = 1000;

template <typename T>
void Put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <typename T>
void PutArray(std::string& out, const std::vector<T>& v) {
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

// Reads values from a byte range; every read checks the bytes left first.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}
  template <typename T>
  bool Get(T& v) {
    if (bytes_.size() - pos_ < sizeof v) return false;
    std::memcpy(&v, bytes_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return true;
  }
  template <typename T>
  bool GetArray(std::vector<T>& v, std::uint64_t n) {
    if (n > (bytes_.size() - pos_) / sizeof(T)) return false;
    v.resize(n);
    std::memcpy(v.data(), bytes_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
    return true;
  }
  bool GetString(std::string& s) {
    std::uint32_t n = 0;
    if (!Get(n) || n > bytes_.size() - pos_) return false;
    s.assign(bytes_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool at_end() const { return pos_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

std::uint32_t Crc(std::string_view bytes) {
  return static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

// `source` names where the bytes came from: "the model file PATH" or "the model".
Error Corrupt(std::string_view source, std::string_view what) {
  return Error::InvalidArgument(fmt::format(
      "{} is truncated or corrupt ({}); train it again with 'xietong train'", source, what));
}

}  // namespace

class ModelCodec {
 public:
  static std::string Payload(const Classifier& c) {
    std::string p;
    const FeatureOptions& f = c.extractor_.options();
    Put(p, f.title_own);
    Put(p, static_cast<std::uint32_t>(f.char_ngram_max));
    Put(p, static_cast<std::uint32_t>(f.words ? 1 : 0));
    Put(p, f.title_weight);
    Put(p, c.score_scale_);
    Put(p, static_cast<std::uint32_t>(c.labels_.size()));
    for (const auto& l : c.labels_) {
      Put(p, static_cast<std::uint32_t>(l.size()));
      p += l;
    }
    Put(p, static_cast<std::uint64_t>(c.vocabulary_.size()));
    PutArray(p, c.vocabulary_.keys());
    PutArray(p, c.vocabulary_.idf());
    PutArray(p, c.model_.weights);
    PutArray(p, c.model_.bias);
    return p;
  }

  static Result<Classifier> Parse(std::string_view payload, std::string_view source,
                                  std::shared_ptr<const Normalizer> normalizer) {
    ByteReader r(payload);
    std::uint32_t ngram = 0, words = 0, label_count = 0;
    FeatureOptions f;
    float scale = 0;
    if (!r.Get(f.title_own) || !r.Get(ngram) || !r.Get(words) || !r.Get(f.title_weight) ||
        !r.Get(scale) || !r.Get(label_count))
      return Fail(Corrupt(source, "the settings are cut short"));
    if (ngram < 1 || ngram > 4 || words > 1 || label_count < 1 || label_count > kMaxLabels)
      return Fail(Corrupt(source, "the settings are out of range"));
    f.char_ngram_max = static_cast<int>(ngram);
    f.words = words == 1;
    Classifier c(std::move(normalizer), f);
    c.score_scale_ = scale;
    c.labels_.resize(label_count);
    for (auto& l : c.labels_)
      if (!r.GetString(l)) return Fail(Corrupt(source, "a label is cut short"));
    std::uint64_t n = 0;
    std::vector<std::uint64_t> keys;
    std::vector<float> idf;
    LinearModel& m = c.model_;
    m.classes = static_cast<int>(label_count);
    if (!r.Get(n) || !r.GetArray(keys, n) || !r.GetArray(idf, n) ||
        !r.GetArray(m.weights, n * label_count) || !r.GetArray(m.bias, label_count))
      return Fail(Corrupt(source, "the weights are cut short"));
    if (!r.at_end()) return Fail(Corrupt(source, "there are bytes after the weights"));
    m.features = n;
    c.vocabulary_ = Vocabulary(std::move(keys), std::move(idf));
    return c;
  }
};

std::string Classifier::SaveBytes() const {
  const std::string payload = ModelCodec::Payload(*this);
  std::string file(kMagic, sizeof kMagic);
  Put(file, kFormatVersion);
  Put(file, static_cast<std::uint64_t>(payload.size()));
  file += payload;
  Put(file, Crc(payload));
  return file;
}

namespace {

// Checks the frame (magic, version, length, CRC) of a model's bytes and
// parses the payload; `source` names the bytes in errors.
Result<Classifier> Decode(std::string_view file, std::string_view source,
                          std::shared_ptr<const Normalizer> normalizer) {
  if (file.size() < sizeof kMagic || std::memcmp(file.data(), kMagic, sizeof kMagic) != 0)
    return Fail(Error::InvalidArgument(
        fmt::format("{} is not a xietong text model (it does not start with XTTEXTCL)", source)));
  ByteReader header(file.substr(sizeof kMagic));
  std::uint32_t version = 0;
  std::uint64_t size = 0;
  if (!header.Get(version)) return Fail(Corrupt(source, "the header is cut short"));
  if (version != Classifier::kFormatVersion)
    return Fail(Error::InvalidArgument(fmt::format(
        "{} is a version {} model; this build reads version {}: train it again with 'xietong "
        "train'",
        source, version, Classifier::kFormatVersion)));
  const std::size_t head = sizeof kMagic + 4 + 8;
  if (!header.Get(size)) return Fail(Corrupt(source, "the header is cut short"));
  if (file.size() < head + 4 || file.size() - head - 4 != size)
    return Fail(Corrupt(source, fmt::format("{} bytes, the header promises {} bytes of weights",
                                            file.size(), size)));
  const std::string_view payload = file.substr(head, size);
  std::uint32_t crc = 0;
  std::memcpy(&crc, file.data() + head + size, sizeof crc);
  if (crc != Crc(payload)) return Fail(Corrupt(source, "the checksum does not match"));
  return ModelCodec::Parse(payload, source, std::move(normalizer));
}

}  // namespace

Result<Classifier> Classifier::LoadBytes(std::string_view bytes,
                                         std::shared_ptr<const Normalizer> normalizer) {
  return Decode(bytes, fmt::format("the model ({} bytes)", bytes.size()), std::move(normalizer));
}

Result<void> Classifier::Save(const std::string& path) const {
  const std::string file = SaveBytes();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(file.data(), static_cast<std::streamsize>(file.size()));
    if (!out.flush())
      return Fail(Error::Unavailable(
          fmt::format("cannot write the model file {}: {}", tmp, std::strerror(errno))));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    return Fail(
        Error::Unavailable(fmt::format("cannot rename {} to {}: {}", tmp, path, ec.message())));
  return {};
}

Result<Classifier> Classifier::Load(const std::string& path,
                                    std::shared_ptr<const Normalizer> normalizer) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Fail(Error::NotFound(
        fmt::format("no model file at {}; train one with 'xietong train … --out {}'", path, path)));
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return Decode(file, fmt::format("the model file {}", path), std::move(normalizer));
}

}  // namespace xietong::text
