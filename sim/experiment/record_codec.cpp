#include "sim/experiment/record_codec.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "sim/output/chunk_codec.hpp"

namespace mss::experiment {

static_assert(std::endian::native == std::endian::little,
              "the record codec writes native byte order and expects little-endian");

namespace {

// 3: events column by column; 4: filled and airport_closed series, the contingent KPIs of
// model::contingent_kpi_columns() (format mss-sim/2); 5: the KPIs of what binds (DESIGN §10)
// and contingent_pipeline_days; 6: the payers' KPIs of model::payer_kpi_columns() and the
// payer_balance series (a ninth chunk), so a journal of an older binary is refused, not misread
constexpr std::uint8_t kVersion = 6;
constexpr std::size_t kEventBytes = 17;  // f64 t_h, u8 kind, i16 contingent, i16 airport, i32 count

template <class T>
void put(std::string& out, T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out.append(b, sizeof(T));
}

template <class T>
void append_column(std::string& out, const std::vector<T>& v) {
    if (!v.empty()) out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

template <class T>
void copy_column(const void* column, std::vector<T>& v) {
    if (!v.empty()) std::memcpy(v.data(), column, v.size() * sizeof(T));
}

template <class T>
void put_array(std::string& out, const std::vector<T>& v) {
    put<std::uint64_t>(out, v.size());
    if (!v.empty()) out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

class Cursor {
public:
    explicit Cursor(std::string_view b) : b_(b) {}
    template <class T>
    T get() {
        need(sizeof(T));
        T v;
        std::memcpy(&v, b_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }
    template <class T>
    void get_array(std::vector<T>& v) {
        const auto n = get<std::uint64_t>();
        if (n > (b_.size() - pos_) / sizeof(T)) fail("array longer than the record");
        v.resize(static_cast<std::size_t>(n));
        if (n > 0) std::memcpy(v.data(), b_.data() + pos_, v.size() * sizeof(T));
        pos_ += v.size() * sizeof(T);
    }
    /// The next `n` bytes, consumed.
    const char* take(std::size_t n) {
        need(n);
        const char* p = b_.data() + pos_;
        pos_ += n;
        return p;
    }
    bool at_end() const { return pos_ == b_.size(); }
    [[noreturn]] static void fail(const std::string& what) {
        throw CodecError("bad run record encoding: " + what);
    }

private:
    void need(std::size_t n) const {
        if (b_.size() - pos_ < n) fail("truncated");
    }
    std::string_view b_;
    std::size_t pos_ = 0;
};

}  // namespace

void encode_record(const output::RunRecord& r, std::string& out) {
    const auto& cols = model::kpi_columns();
    output::PackedSeries local;
    const output::PackedSeries& packed =
        r.packed.empty() ? (local = output::pack_series(r)) : r.packed;
    out.reserve(out.size() + 256 + cols.size() * 8 + r.contingent_kpis.size() * 48 +
                r.payer_kpis.size() * 48 + packed.bytes.size() + r.events.size() * 17);
    put<std::uint8_t>(out, kVersion);
    put<std::int64_t>(out, r.run);
    put<std::int64_t>(out, r.point);
    put<std::int64_t>(out, r.replication);
    put<std::uint64_t>(out, r.seed);
    put<std::int8_t>(out, static_cast<std::int8_t>(r.status));
    put<double>(out, r.wall_s);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(cols.size()));
    for (const auto& k : cols)
        put<double>(out, r.kpis.*(k.member));
    put<std::uint64_t>(out, r.kpis.events_handled);
    put<std::int64_t>(out, r.events_dropped);
    const auto& ccols = model::contingent_kpi_columns();
    put<std::uint32_t>(out, static_cast<std::uint32_t>(r.contingent_kpis.size()));
    put<std::uint32_t>(out, static_cast<std::uint32_t>(ccols.size()));
    for (const auto& c : r.contingent_kpis)
        for (const auto& k : ccols)
            put<double>(out, c.*(k.member));
    const auto& pcols = model::payer_kpi_columns();
    put<std::uint32_t>(out, static_cast<std::uint32_t>(r.payer_kpis.size()));
    put<std::uint32_t>(out, static_cast<std::uint32_t>(pcols.size()));
    for (const auto& p : r.payer_kpis)
        for (const auto& k : pcols)
            put<double>(out, p.*(k.member));
    put<std::uint16_t>(out, packed.deflated);
    for (std::size_t i = 0; i < output::PackedSeries::kCount; ++i) {
        put<std::uint32_t>(out, packed.raw_size[i]);
        put<std::uint32_t>(out, packed.size[i]);
    }
    put_array(out, packed.bytes);
    // Events: their count, then each column whole (t_h, kind, contingent, airport, count).
    const output::EventColumns& ev = r.events;
    put<std::uint64_t>(out, ev.size());
    append_column(out, ev.t_h);
    append_column(out, ev.kind);
    append_column(out, ev.contingent);
    append_column(out, ev.airport);
    append_column(out, ev.count);
}

std::string encode_record(const output::RunRecord& r) {
    std::string out;
    encode_record(r, out);
    return out;
}

output::RunRecord decode_record(std::string_view bytes, output::EventSlices* events) {
    Cursor c(bytes);
    if (c.get<std::uint8_t>() != kVersion) Cursor::fail("unknown version");
    output::RunRecord r;
    r.run = c.get<std::int64_t>();
    r.point = c.get<std::int64_t>();
    r.replication = c.get<std::int64_t>();
    r.seed = c.get<std::uint64_t>();
    const auto status = c.get<std::int8_t>();
    if (status != 0 && status != 1) Cursor::fail("bad status");
    r.status = static_cast<output::RunStatus>(status);
    r.wall_s = c.get<double>();
    const auto& cols = model::kpi_columns();
    if (c.get<std::uint32_t>() != cols.size()) Cursor::fail("KPI count differs from this build");
    for (const auto& k : cols)
        r.kpis.*(k.member) = c.get<double>();
    r.kpis.events_handled = c.get<std::uint64_t>();
    r.events_dropped = c.get<std::int64_t>();
    const auto nc = c.get<std::uint32_t>();
    if (nc > 100000) Cursor::fail("too many contingents");
    const auto& ccols = model::contingent_kpi_columns();
    if (c.get<std::uint32_t>() != ccols.size())
        Cursor::fail("contingent KPI count differs from this build");
    r.contingent_kpis.resize(nc);
    for (auto& k : r.contingent_kpis)
        for (const auto& col : ccols)
            k.*(col.member) = c.get<double>();
    const auto np = c.get<std::uint32_t>();
    if (np > 100000) Cursor::fail("too many payers");
    const auto& pcols = model::payer_kpi_columns();
    if (c.get<std::uint32_t>() != pcols.size())
        Cursor::fail("payer KPI count differs from this build");
    r.payer_kpis.resize(np);
    for (auto& k : r.payer_kpis)
        for (const auto& col : pcols)
            k.*(col.member) = c.get<double>();
    output::PackedSeries& p = r.packed;
    p.deflated = c.get<std::uint16_t>();
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < output::PackedSeries::kCount; ++i) {
        p.raw_size[i] = c.get<std::uint32_t>();
        p.size[i] = c.get<std::uint32_t>();
        total += p.size[i];
        const bool deflated = ((p.deflated >> i) & 1u) != 0;
        if (deflated ? p.size[i] >= p.raw_size[i] : p.size[i] != p.raw_size[i])
            Cursor::fail("bad series chunk size");
    }
    c.get_array(p.bytes);
    if (p.bytes.size() != total) Cursor::fail("series chunks do not add up");
    const auto ne = c.get<std::uint64_t>();
    if (ne > bytes.size() / kEventBytes) Cursor::fail("more events than bytes");
    const auto n = static_cast<std::size_t>(ne);
    const char* q = c.take(n * kEventBytes);
    // The columns, back to back: t_h (8 bytes each), kind (1), contingent (2), airport (2),
    // count (4).
    const output::EventSlices slices{n, q, q + 8 * n, q + 9 * n, q + 11 * n, q + 13 * n};
    const auto* kinds = static_cast<const std::uint8_t*>(slices.kind);
    std::uint8_t max_kind = 0;
    for (std::size_t i = 0; i < n; ++i)
        max_kind = std::max(max_kind, kinds[i]);
    if (n > 0 && max_kind >= model::kEventKindCount) Cursor::fail("bad event kind");
    if (!c.at_end()) Cursor::fail("trailing bytes");
    if (events != nullptr) {
        *events = slices;
        return r;
    }
    output::EventColumns& ev = r.events;
    ev.resize(n);
    copy_column(slices.t_h, ev.t_h);
    copy_column(slices.kind, ev.kind);
    copy_column(slices.contingent, ev.contingent);
    copy_column(slices.airport, ev.airport);
    copy_column(slices.count, ev.count);
    return r;
}

std::int64_t encoded_run_id(std::string_view bytes) {
    Cursor c(bytes);
    if (c.get<std::uint8_t>() != kVersion) Cursor::fail("unknown version");
    return c.get<std::int64_t>();
}

}  // namespace mss::experiment
