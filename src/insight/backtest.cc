#include "insight/backtest.h"

#include <algorithm>
#include <chrono>
#include <numeric>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace xietong::insight {
namespace {

double MeanOf(const std::vector<double>& v) {
  double sum = 0;
  int n = 0;
  for (double x : v) {
    if (std::isfinite(x)) {
      sum += x;
      ++n;
    }
  }
  return n ? sum / n : kNaN;
}

double MedianOf(std::vector<double> v) {
  std::erase_if(v, [](double x) { return !std::isfinite(x); });
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

double At(const std::vector<double>& v, int h) {
  return h >= 1 && static_cast<std::size_t>(h) <= v.size() ? v[static_cast<std::size_t>(h - 1)]
                                                           : kNaN;
}

// Training window [from, to) of origin index o (an index into y).
struct Window {
  std::size_t from = 0, to = 0;
};

Window TrainingWindow(std::size_t origin, const BacktestOptions& options) {
  const std::size_t max_days = static_cast<std::size_t>(options.max_train_days);
  return {origin > max_days ? origin - max_days : 0, origin};
}

// Index of origin k (0 … origins − 1); may be negative for a series too short.
long OriginIndex(std::size_t n, int k, const BacktestOptions& options) {
  return static_cast<long>(n) - options.horizon - 7L * (options.origins - 1 - k);
}

}  // namespace

double SeasonalScale(std::span<const double> train) {
  if (train.size() <= 7) return 0;
  double sum = 0;
  for (std::size_t t = 7; t < train.size(); ++t) sum += std::abs(train[t] - train[t - 7]);
  return sum / static_cast<double>(train.size() - 7);
}

double Mase(std::span<const double> actual, std::span<const double> forecast, double scale) {
  const std::size_t n = std::min(actual.size(), forecast.size());
  if (n == 0 || !(scale > 0)) return kNaN;
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += std::abs(actual[i] - forecast[i]);
  return sum / static_cast<double>(n) / scale;
}

Mape MapeOf(std::span<const double> actual, std::span<const double> forecast) {
  Mape m;
  double sum = 0;
  for (std::size_t i = 0; i < std::min(actual.size(), forecast.size()); ++i) {
    if (actual[i] > 0) {
      sum += std::abs(actual[i] - forecast[i]) / actual[i];
      ++m.points;
    } else {
      ++m.excluded;
    }
  }
  if (m.points > 0) m.value = 100 * sum / m.points;
  return m;
}

double Wape(std::span<const double> actual, std::span<const double> forecast) {
  double err = 0, sum = 0;
  for (std::size_t i = 0; i < std::min(actual.size(), forecast.size()); ++i) {
    err += std::abs(actual[i] - forecast[i]);
    sum += actual[i];
  }
  return sum > 0 ? err / sum : kNaN;
}

double StabilisedResidual(double actual, double forecast) {
  return (actual - forecast) / std::sqrt(std::max(0.0, forecast) + 1);
}

IntervalQuantiles QuantilesOf(std::vector<double> z) {
  IntervalQuantiles q;
  if (z.empty()) return q;
  std::sort(z.begin(), z.end());
  auto at = [&](double p) {
    const double pos = p * static_cast<double>(z.size() - 1);
    const auto i = static_cast<std::size_t>(pos);
    if (i + 1 >= z.size()) return z.back();
    return z[i] + (pos - static_cast<double>(i)) * (z[i + 1] - z[i]);
  };
  q.q025 = at(0.025);
  q.q10 = at(0.10);
  q.q90 = at(0.90);
  q.q975 = at(0.975);
  return q;
}

Interval IntervalAt(double forecast, const IntervalQuantiles& q) {
  const double f = std::max(0.0, forecast);
  const double s = std::sqrt(f + 1);
  return {std::max(0.0, f + q.q10 * s), std::max(0.0, f + q.q90 * s), std::max(0.0, f + q.q025 * s),
          std::max(0.0, f + q.q975 * s)};
}

int IntervalBucket(int h) { return h <= 3 ? 0 : h <= 7 ? 1 : h <= 14 ? 2 : 3; }
int ChoiceBucket(int h) { return h <= 3 ? 0 : h <= 14 ? 1 : 2; }
std::string_view ChoiceBucketName(int bucket) {
  static constexpr std::array<std::string_view, kChoiceBuckets> kNames{"1-3", "4-14", "15-28"};
  return kNames[static_cast<std::size_t>(std::clamp(bucket, 0, kChoiceBuckets - 1))];
}

SeriesProfile Profile(const Series& series, const BacktestOptions& options) {
  SeriesProfile p;
  const std::size_t n = series.y.size();
  const std::size_t recent = std::min(n, static_cast<std::size_t>(options.recent_days));
  for (std::size_t i = n - recent; i < n; ++i) p.recent_total += series.y[i];
  const long first = OriginIndex(n, 0, options);
  const long last = OriginIndex(n, options.origins - 1, options);
  if (first < options.min_train_days) p.short_series = true;
  // The last origin's training window (or all of it, for a short series).
  const Window w =
      last > 0 ? TrainingWindow(static_cast<std::size_t>(last), options) : Window{0, n};
  const std::span<const double> train(series.y.data() + w.from, w.to - w.from);
  p.mean_daily = train.empty() ? 0
                               : std::accumulate(train.begin(), train.end(), 0.0) /
                                     static_cast<double>(train.size());
  p.nonzero_days =
      static_cast<int>(std::count_if(train.begin(), train.end(), [](double v) { return v > 0; }));
  p.sparse = p.mean_daily < options.sparse_mean || p.nonzero_days < options.sparse_nonzero_days;
  if (!p.short_series) {
    p.flat = true;
    for (int k = 0; k < options.origins && p.flat; ++k) {
      const Window wk =
          TrainingWindow(static_cast<std::size_t>(OriginIndex(n, k, options)), options);
      if (SeasonalScale({series.y.data() + wk.from, wk.to - wk.from}) > 0) p.flat = false;
    }
  }
  return p;
}

SeriesBacktest BacktestSeries(const Series& series, const BacktestOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  SeriesBacktest out;
  out.key = series.key;
  out.area = series.area;
  out.category = series.category;
  out.area_total = series.area_total;
  out.profile = Profile(series, options);
  if (!out.profile.backtestable()) return out;

  const int K = options.origins, H = options.horizon;
  const std::size_t M = options.models.size();
  const std::size_t n = series.y.size();
  const std::vector<double> clipped = ClipOutliers(series.y);
  const auto sn7_at =
      std::find(options.models.begin(), options.models.end(), ModelKind::kSeasonalNaive);
  const auto combo_at = std::find(options.models.begin(), options.models.end(), ModelKind::kCombo);
  const std::size_t sn7 = static_cast<std::size_t>(sn7_at - options.models.begin());
  const std::size_t fallback = combo_at != options.models.end()
                                   ? static_cast<std::size_t>(combo_at - options.models.begin())
                                   : 0;

  // forecasts[m][k][h−1], scales[k]
  std::vector<std::vector<std::vector<double>>> forecasts(M, std::vector<std::vector<double>>(K));
  std::vector<double> scales(static_cast<std::size_t>(K));
  std::vector<Fitted> fitted(M);
  for (int k = 0; k < K; ++k) {
    const auto o = static_cast<std::size_t>(OriginIndex(n, k, options));
    out.origin_days.push_back(series.first_day + static_cast<Day>(o));
    const Window w = TrainingWindow(o, options);
    scales[static_cast<std::size_t>(k)] = SeasonalScale({series.y.data() + w.from, w.to - w.from});
    FitInput in;
    in.y = {clipped.data() + w.from, w.to - w.from};
    in.first_day = series.first_day + static_cast<Day>(w.from);
    in.calendar = options.calendar;
    for (std::size_t m = 0; m < M; ++m) {
      fitted[m] = (k % std::max(1, options.refit_every) == 0) ? Fit(options.models[m], in)
                                                              : Refilter(fitted[m], in);
      forecasts[m][static_cast<std::size_t>(k)] = Forecast(fitted[m], in, H);
    }
  }
  auto actual = [&](int k, int h) {
    return series
        .y[static_cast<std::size_t>(OriginIndex(n, k, options)) + static_cast<std::size_t>(h - 1)];
  };
  // Scaled absolute error of model m at origin k, horizon h (NaN when the scale is 0).
  auto scaled = [&](std::size_t m, int k, int h) {
    const double s = scales[static_cast<std::size_t>(k)];
    if (!(s > 0)) return kNaN;
    return std::abs(actual(k, h) -
                    forecasts[m][static_cast<std::size_t>(k)][static_cast<std::size_t>(h - 1)]) /
           s;
  };
  // Mean scaled error of model m in bucket b over origins [0, until) — at origin `until`
  // only errors on days before it are known (until == K: all of them).
  auto bucket_score = [&](std::size_t m, int until, int b, int* used) {
    double sum = 0;
    int count = 0, origins_used = 0;
    const long known_before = until < K ? OriginIndex(n, until, options) : static_cast<long>(n);
    for (int k = 0; k < until; ++k) {
      bool any = false;
      for (int h = 1; h <= H; ++h) {
        if (ChoiceBucket(h) != b) continue;
        if (OriginIndex(n, k, options) + h - 1 >= known_before) break;
        const double q = scaled(m, k, h);
        if (std::isfinite(q)) {
          sum += q;
          ++count;
          any = true;
        }
      }
      origins_used += any;
    }
    if (used) *used = origins_used;
    return count ? sum / count : kNaN;
  };
  auto best_model = [&](int until, int b) {
    std::size_t best = fallback;
    double best_score = kNaN;
    for (std::size_t m = 0; m < M; ++m) {  // options.models is in order of simplicity
      int used = 0;
      const double s = bucket_score(m, until, b, &used);
      if (used < options.min_earlier_origins || !std::isfinite(s)) continue;
      if (!std::isfinite(best_score) || s < best_score - 1e-12) {
        best = m;
        best_score = s;
      }
    }
    return std::pair{best, best_score};
  };

  // The online-selected forecaster: at origin k, bucket b, the best on origins < k.
  std::vector<std::vector<double>> selected(static_cast<std::size_t>(K),
                                            std::vector<double>(static_cast<std::size_t>(H)));
  for (int k = 0; k < K; ++k) {
    std::array<std::size_t, kChoiceBuckets> pick{};
    for (int b = 0; b < kChoiceBuckets; ++b) {
      pick[static_cast<std::size_t>(b)] = best_model(k, b).first;
    }
    for (int h = 1; h <= H; ++h) {
      selected[static_cast<std::size_t>(k)][static_cast<std::size_t>(h - 1)] =
          forecasts[pick[static_cast<std::size_t>(ChoiceBucket(h))]][static_cast<std::size_t>(k)]
                   [static_cast<std::size_t>(h - 1)];
    }
  }
  out.forecasts = selected;
  for (int b = 0; b < kChoiceBuckets; ++b) {
    const auto [m, score] = best_model(K, b);
    out.chosen[static_cast<std::size_t>(b)] = options.models[m];
    out.chosen_score[static_cast<std::size_t>(b)] = score;
    out.sn7_score[static_cast<std::size_t>(b)] =
        sn7_at != options.models.end() ? bucket_score(sn7, K, b, nullptr) : kNaN;
  }

  const auto Hs = static_cast<std::size_t>(H);
  out.mase.assign(Hs, kNaN);
  out.rel_mae.assign(Hs, kNaN);
  out.mae.assign(Hs, kNaN);
  out.mae_sn7.assign(Hs, kNaN);
  out.mape.assign(Hs, kNaN);
  out.mape_points.assign(Hs, 0);
  out.mape_excluded.assign(Hs, 0);
  out.wape.assign(Hs, kNaN);
  for (int h = 1; h <= H; ++h) {
    std::vector<double> a, f, f_sn7;
    double scaled_sum = 0;
    int scaled_n = 0;
    for (int k = 0; k < K; ++k) {
      a.push_back(actual(k, h));
      f.push_back(selected[static_cast<std::size_t>(k)][static_cast<std::size_t>(h - 1)]);
      if (sn7_at != options.models.end()) {
        f_sn7.push_back(
            forecasts[sn7][static_cast<std::size_t>(k)][static_cast<std::size_t>(h - 1)]);
      }
      const double s = scales[static_cast<std::size_t>(k)];
      if (s > 0) {
        scaled_sum += std::abs(a.back() - f.back()) / s;
        ++scaled_n;
      }
    }
    const auto i = static_cast<std::size_t>(h - 1);
    if (scaled_n) out.mase[i] = scaled_sum / scaled_n;
    out.mae[i] = Mase(a, f, 1.0);
    if (!f_sn7.empty()) {
      out.mae_sn7[i] = Mase(a, f_sn7, 1.0);
      if (out.mae_sn7[i] > 0) out.rel_mae[i] = out.mae[i] / out.mae_sn7[i];
    }
    const Mape mape = MapeOf(a, f);
    out.mape[i] = mape.value;
    out.mape_points[i] = mape.points;
    out.mape_excluded[i] = mape.excluded;
    out.wape[i] = Wape(a, f);
  }
  for (std::size_t m = 0; m < M; ++m) {
    std::vector<double> mase(Hs, kNaN);
    for (int h = 1; h <= H; ++h) {
      double sum = 0;
      int count = 0;
      for (int k = 0; k < K; ++k) {
        const double q = scaled(m, k, h);
        if (std::isfinite(q)) {
          sum += q;
          ++count;
        }
      }
      if (count) mase[static_cast<std::size_t>(h - 1)] = sum / count;
    }
    out.model_mase.emplace_back(options.models[m], std::move(mase));
  }

  // Leave-one-origin-out intervals of the selected forecaster.
  constexpr int kIntervalBuckets = 4;
  std::array<std::vector<std::pair<int, double>>, kIntervalBuckets> z;  // (origin, z)
  for (int k = 0; k < K; ++k) {
    for (int h = 1; h <= H; ++h) {
      z[static_cast<std::size_t>(IntervalBucket(h))].emplace_back(
          k, StabilisedResidual(
                 actual(k, h),
                 selected[static_cast<std::size_t>(k)][static_cast<std::size_t>(h - 1)]));
    }
  }
  int inside80 = 0, inside95 = 0, checked = 0;
  for (int k = 0; k < K; ++k) {
    std::array<IntervalQuantiles, kIntervalBuckets> q;
    std::array<bool, kIntervalBuckets> enough{};
    for (int c = 0; c < kIntervalBuckets; ++c) {
      std::vector<double> others;
      for (const auto& [origin, value] : z[static_cast<std::size_t>(c)]) {
        if (origin != k) others.push_back(value);
      }
      enough[static_cast<std::size_t>(c)] = others.size() >= 30;
      q[static_cast<std::size_t>(c)] = QuantilesOf(std::move(others));
    }
    for (int h = 1; h <= H; ++h) {
      const auto c = static_cast<std::size_t>(IntervalBucket(h));
      if (!enough[c]) continue;
      const Interval iv =
          IntervalAt(selected[static_cast<std::size_t>(k)][static_cast<std::size_t>(h - 1)], q[c]);
      const double y = actual(k, h);
      inside80 += y >= iv.lo80 && y <= iv.hi80;
      inside95 += y >= iv.lo95 && y <= iv.hi95;
      ++checked;
    }
  }
  if (checked) {
    out.coverage80 = static_cast<double>(inside80) / checked;
    out.coverage95 = static_cast<double>(inside95) / checked;
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

namespace {

constexpr double kMapeMinMean = 5;  // MAPE of a 1/day series is near 100 % by arithmetic

TableRow RowOf(std::string label, std::span<const SeriesBacktest* const> rows) {
  TableRow r;
  r.label = std::move(label);
  r.series = static_cast<int>(rows.size());
  std::vector<double> m1, m7, m28, rel, w7, cov, mean;
  double ape_sum[3] = {0, 0, 0};
  int ape_n[3] = {0, 0, 0};
  for (const SeriesBacktest* s : rows) {
    mean.push_back(s->profile.mean_daily);
    m1.push_back(At(s->mase, 1));
    m7.push_back(At(s->mase, 7));
    m28.push_back(At(s->mase, 28));
    rel.push_back(At(s->rel_mae, 7));
    w7.push_back(At(s->wape, 7));
    cov.push_back(s->coverage80);
    if (s->profile.mean_daily >= kMapeMinMean) {
      int i = 0;
      for (int h : {1, 7, 28}) {
        const double v = At(s->mape, h);
        const int points = h <= static_cast<int>(s->mape_points.size())
                               ? s->mape_points[static_cast<std::size_t>(h - 1)]
                               : 0;
        if (std::isfinite(v) && points > 0) {
          ape_sum[i] += v * points;
          ape_n[i] += points;
        }
        ++i;
      }
    }
  }
  r.mean_daily = MeanOf(mean);
  r.mase1 = MeanOf(m1);
  r.mase7 = MeanOf(m7);
  r.mase28 = MeanOf(m28);
  r.rel_mae7 = MeanOf(rel);
  r.wape7 = MeanOf(w7);
  r.coverage80 = MeanOf(cov);
  r.mape1 = ape_n[0] ? ape_sum[0] / ape_n[0] : kNaN;
  r.mape7 = ape_n[1] ? ape_sum[1] / ape_n[1] : kNaN;
  r.mape28 = ape_n[2] ? ape_sum[2] / ape_n[2] : kNaN;
  if (rows.size() == 1) {
    const auto& c = rows[0]->chosen;
    r.chosen = fmt::format("{}/{}/{}", ModelName(c[0]), ModelName(c[1]), ModelName(c[2]));
  }
  return r;
}

std::string Num(double v, int decimals = 2) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : "—";
}

std::string Pad(std::string_view text, std::size_t width) {
  // Display width: count UTF-8 code points (the table's labels are ASCII or CJK-free here).
  std::size_t points = 0;
  for (unsigned char c : text) points += (c & 0xC0) != 0x80;
  std::string out(text);
  if (points < width) out.append(width - points, ' ');
  return out;
}

void AppendRow(std::string& out, const TableRow& r) {
  std::string label = r.label;
  if (label.size() > 44) label = label.substr(0, 43) + "~";
  out += fmt::format("{}{:>6} {:>7} {:>7} {:>7} {:>8} {:>9} {:>7} {:>7} {:>8} {:>7} {:>6}  {}\n",
                     Pad(label, 45), r.series, Num(r.mean_daily), Num(r.mase1), Num(r.mase7),
                     Num(r.mase28), Num(r.rel_mae7), Num(r.mape1, 1), Num(r.mape7, 1),
                     Num(r.mape28, 1), Num(r.wape7), Num(r.coverage80), r.chosen);
}

}  // namespace

BacktestTable Summarise(std::span<const SeriesBacktest> results, int top) {
  BacktestTable t;
  t.built = static_cast<int>(results.size());
  std::vector<const SeriesBacktest*> done, candidates, totals;
  for (const SeriesBacktest& s : results) {
    t.short_series += s.profile.short_series;
    t.sparse += !s.profile.short_series && s.profile.sparse;
    t.flat += !s.profile.short_series && !s.profile.sparse && s.profile.flat;
    if (!s.profile.backtestable() || s.mase.empty()) continue;
    done.push_back(&s);
    (s.area_total ? totals : candidates).push_back(&s);
    if (t.origins == 0) {
      t.origins = static_cast<int>(s.origin_days.size());
      t.horizon = static_cast<int>(s.mase.size());
      for (const auto& [kind, mase] : s.model_mase) t.models.emplace_back(ModelName(kind));
    }
  }
  t.backtested = static_cast<int>(done.size());
  auto by_volume = [](const SeriesBacktest* a, const SeriesBacktest* b) {
    if (a->profile.recent_total != b->profile.recent_total)
      return a->profile.recent_total > b->profile.recent_total;
    return a->key < b->key;
  };
  std::sort(candidates.begin(), candidates.end(), by_volume);
  std::sort(totals.begin(), totals.end(), by_volume);
  if (static_cast<int>(candidates.size()) > top) candidates.resize(static_cast<std::size_t>(top));

  for (const SeriesBacktest* s : candidates) {
    const SeriesBacktest* one[] = {s};
    t.top_rows.push_back(RowOf(s->area + " · " + (s->category.empty() ? "all" : s->category), one));
  }
  for (const SeriesBacktest* s : totals) {
    const SeriesBacktest* one[] = {s};
    t.total_rows.push_back(RowOf(s->area + " · all", one));
  }
  std::vector<std::string> categories;
  for (const SeriesBacktest* s : done) {
    if (!s->category.empty()) categories.push_back(s->category);
  }
  std::sort(categories.begin(), categories.end());
  categories.erase(std::unique(categories.begin(), categories.end()), categories.end());
  for (const std::string& c : categories) {
    std::vector<const SeriesBacktest*> of;
    for (const SeriesBacktest* s : done) {
      if (s->category == c) of.push_back(s);
    }
    t.category_rows.push_back(RowOf(c, of));
  }
  std::sort(t.category_rows.begin(), t.category_rows.end(),
            [](const TableRow& a, const TableRow& b) {
              return a.mean_daily * a.series > b.mean_daily * b.series;
            });

  t.top = RowOf(fmt::format("top {} series", candidates.size()), candidates);
  t.series = static_cast<int>(candidates.size());
  t.mase_1d = t.top.mase1;
  t.mase_7d = t.top.mase7;
  t.mase_28d = t.top.mase28;
  t.rel_mae_7d = t.top.rel_mae7;
  t.mape_7d = t.top.mape7;
  t.wape_7d = t.top.wape7;
  std::vector<double> m7;
  int excluded = 0, points = 0;
  for (const SeriesBacktest* s : candidates) {
    m7.push_back(At(s->mase, 7));
    if (s->mape_points.size() >= 7) {
      excluded += s->mape_excluded[6];
      points += s->mape_points[6] + s->mape_excluded[6];
    }
  }
  t.median_mase_7d = MedianOf(m7);
  if (points) t.mape_excluded_share = static_cast<double>(excluded) / points;
  if (!candidates.empty()) {
    for (std::size_t m = 0; m < candidates[0]->model_mase.size(); ++m) {
      std::vector<double> v;
      for (const SeriesBacktest* s : candidates) {
        if (m < s->model_mase.size()) v.push_back(At(s->model_mase[m].second, 7));
      }
      t.model_mase7.emplace_back(std::string(ModelName(candidates[0]->model_mase[m].first)),
                                 MeanOf(v));
    }
  }
  return t;
}

std::string RenderTable(const BacktestTable& t) {
  std::string out;
  out += fmt::format(
      "series: {} built, {} backtested, {} sparse, {} short, {} flat; origins {} weekly; horizons "
      "1–{}; models {}\n",
      t.built, t.backtested, t.sparse, t.short_series, t.flat, t.origins, t.horizon,
      fmt::join(t.models, " "));
  const std::string header =
      fmt::format("{}{:>6} {:>7} {:>7} {:>7} {:>8} {:>9} {:>7} {:>7} {:>8} {:>7} {:>6}  {}\n",
                  Pad("series", 45), "series", "mean/d", "MASE@1", "MASE@7", "MASE@28", "relMAE@7",
                  "MAPE@1", "MAPE@7", "MAPE@28", "WAPE@7", "cov80", "chosen(1-3/4-14/15-28)");
  out += header;
  for (const TableRow& r : t.top_rows) AppendRow(out, r);
  AppendRow(out, t.top);
  if (!t.total_rows.empty()) {
    out += "area totals\n";
    for (const TableRow& r : t.total_rows) AppendRow(out, r);
  }
  if (!t.category_rows.empty()) {
    out += "per category (all backtested series of the category)\n";
    for (const TableRow& r : t.category_rows) AppendRow(out, r);
  }
  if (!t.model_mase7.empty()) {
    out += "each model alone over the top set, MASE@7:";
    for (const auto& [name, v] : t.model_mase7) out += fmt::format(" {} {}", name, Num(v, 3));
    out += "\n";
  }
  auto ascii = [](double v, int decimals) {
    return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : std::string("-");
  };
  out += fmt::format(
      "mase_7d={} mase_1d={} mase_28d={} median_mase_7d={} rel_mae_7d={} mape_7d={} wape_7d={} "
      "series={} origins={}\n",
      ascii(t.mase_7d, 3), ascii(t.mase_1d, 3), ascii(t.mase_28d, 3), ascii(t.median_mase_7d, 3),
      ascii(t.rel_mae_7d, 3), ascii(t.mape_7d, 1), ascii(t.wape_7d, 3), t.series, t.origins);
  return out;
}

AheadForecast ForecastAhead(const Series& series, const SeriesBacktest& backtest,
                            const BacktestOptions& options, int horizon) {
  AheadForecast out;
  out.backtested = backtest.profile.backtestable() && !backtest.forecasts.empty();
  out.models.fill(ModelKind::kHistoricalAverage);
  if (out.backtested) out.models = backtest.chosen;
  horizon = std::max(0, horizon);
  const std::size_t n = series.y.size();
  const std::size_t from =
      n > static_cast<std::size_t>(options.max_train_days) ? n - options.max_train_days : 0;
  const std::vector<double> clipped =
      ClipOutliers(std::span<const double>(series.y.data() + from, n - from));
  FitInput in;
  in.y = clipped;
  in.first_day = series.first_day + static_cast<Day>(from);
  in.calendar = options.calendar;
  std::array<std::vector<double>, kChoiceBuckets> per_bucket;
  for (int b = 0; b < kChoiceBuckets; ++b) {
    const auto bi = static_cast<std::size_t>(b);
    bool same = false;
    for (int e = 0; e < b; ++e) {
      if (out.models[static_cast<std::size_t>(e)] == out.models[bi]) {
        per_bucket[bi] = per_bucket[static_cast<std::size_t>(e)];
        same = true;
        break;
      }
    }
    if (!same && !clipped.empty()) per_bucket[bi] = Forecast(Fit(out.models[bi], in), in, horizon);
  }

  // Interval quantiles per interval bucket from the backtest's residuals.
  constexpr int kIntervalBuckets = 4;
  const IntervalQuantiles normal{-1.959964, -1.281552, 1.281552, 1.959964};
  std::array<IntervalQuantiles, kIntervalBuckets> q;
  q.fill(normal);
  if (out.backtested) {
    std::array<std::vector<double>, kIntervalBuckets> z;
    for (std::size_t k = 0; k < backtest.forecasts.size() && k < backtest.origin_days.size(); ++k) {
      const auto& f = backtest.forecasts[k];
      for (std::size_t i = 0; i < f.size(); ++i) {
        const long at = static_cast<long>(backtest.origin_days[k]) + static_cast<long>(i) -
                        static_cast<long>(series.first_day);
        if (at < 0 || static_cast<std::size_t>(at) >= n) continue;
        z[static_cast<std::size_t>(IntervalBucket(static_cast<int>(i) + 1))].push_back(
            StabilisedResidual(series.y[static_cast<std::size_t>(at)], f[i]));
      }
    }
    for (int c = 0; c < kIntervalBuckets; ++c) {
      auto& values = z[static_cast<std::size_t>(c)];
      if (values.size() >= 30) q[static_cast<std::size_t>(c)] = QuantilesOf(std::move(values));
    }
  }
  const Day last = series.first_day + static_cast<Day>(n) - 1;
  for (int h = 1; h <= horizon; ++h) {
    const auto& f = per_bucket[static_cast<std::size_t>(ChoiceBucket(h))];
    const double value = static_cast<std::size_t>(h) <= f.size()
                             ? std::max(0.0, f[static_cast<std::size_t>(h - 1)])
                             : 0.0;
    const Interval iv = IntervalAt(value, q[static_cast<std::size_t>(IntervalBucket(h))]);
    out.points.push_back({.day = last + h,
                          .value = value,
                          .lo80 = std::min(iv.lo80, value),
                          .hi80 = std::max(iv.hi80, value),
                          .lo95 = std::min(iv.lo95, value),
                          .hi95 = std::max(iv.hi95, value)});
  }
  // Whole Monday–Sunday weeks.
  for (std::size_t i = 0; i < out.points.size(); ++i) {
    if (Weekday(out.points[i].day) != 0 || i + 7 > out.points.size()) continue;
    ForecastPoint w{.day = out.points[i].day};
    double lo80 = 0, hi80 = 0, lo95 = 0, hi95 = 0;
    for (std::size_t j = i; j < i + 7; ++j) {
      const ForecastPoint& p = out.points[j];
      w.value += p.value;
      lo80 += (p.value - p.lo80) * (p.value - p.lo80);
      hi80 += (p.hi80 - p.value) * (p.hi80 - p.value);
      lo95 += (p.value - p.lo95) * (p.value - p.lo95);
      hi95 += (p.hi95 - p.value) * (p.hi95 - p.value);
    }
    w.lo80 = std::max(0.0, w.value - std::sqrt(lo80));
    w.hi80 = w.value + std::sqrt(hi80);
    w.lo95 = std::max(0.0, w.value - std::sqrt(lo95));
    w.hi95 = w.value + std::sqrt(hi95);
    out.weekly.push_back(w);
  }
  return out;
}

}  // namespace xietong::insight
