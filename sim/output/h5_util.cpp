// sim/output/h5_util.cpp — see h5_util.hpp.
#include "sim/output/h5_util.hpp"

#include <H5DSpublic.h>

namespace mss::output::h5 {

using H5::PredType;

H5::StrType utf8_string() {
    H5::StrType t(PredType::C_S1, H5T_VARIABLE);
    t.setCset(H5T_CSET_UTF8);
    return t;
}

void check(herr_t status, const char* what) {
    if (status < 0) throw OutputError(std::string("HDF5: ") + what + " failed");
}

void string_attr(H5::H5Object& obj, const std::string& name, const std::string& value) {
    H5::StrType t = utf8_string();
    H5::Attribute a = obj.createAttribute(name, t, H5::DataSpace(H5S_SCALAR));
    a.write(t, value);
}

void string_list_attr(H5::H5Object& obj, const std::string& name,
                      const std::vector<std::string>& values) {
    std::vector<const char*> ptrs;
    for (const auto& v : values)
        ptrs.push_back(v.c_str());
    const hsize_t n = ptrs.size();
    H5::StrType t = utf8_string();
    H5::Attribute a = obj.createAttribute(name, t, H5::DataSpace(1, &n));
    if (n > 0) a.write(t, ptrs.data());
}

H5::DSetCreatPropList dataset_props() {
    H5::DSetCreatPropList p;
    check(H5Pset_obj_track_times(p.getId(), 0), "H5Pset_obj_track_times");
    return p;
}

H5::Group make_group(H5::H5File& file, const char* name) {
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    check(H5Pset_obj_track_times(gcpl, 0), "H5Pset_obj_track_times");
    hid_t g = H5Gcreate2(file.getId(), name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    if (g < 0) throw OutputError(std::string("HDF5: cannot create group ") + name);
    H5::Group group(g);
    H5Gclose(g);  // H5::Group(hid_t) took its own reference
    return group;
}

void int8_list_attr(H5::H5Object& obj, const std::string& name,
                    const std::vector<std::int8_t>& values) {
    const hsize_t n = values.size();
    H5::Attribute a = obj.createAttribute(name, PredType::NATIVE_INT8, H5::DataSpace(1, &n));
    if (n > 0) a.write(PredType::NATIVE_INT8, values.data());
}

void make_scale(H5::DataSet& ds, const std::string& name) {
    check(H5DSset_scale(ds.getId(), name.c_str()), "H5DSset_scale");
}

void attach(H5::DataSet& ds, const H5::DataSet& scale, unsigned dim) {
    check(H5DSattach_scale(ds.getId(), scale.getId(), dim), "H5DSattach_scale");
}

H5::DataSet string_dataset(H5::Group& where, const std::string& name,
                           const std::vector<std::string>& values) {
    std::vector<const char*> ptrs;
    for (const auto& v : values)
        ptrs.push_back(v.c_str());
    const hsize_t n = ptrs.size();
    H5::StrType t = utf8_string();
    H5::DataSet ds = where.createDataSet(name, t, H5::DataSpace(1, &n), dataset_props());
    if (n > 0) ds.write(ptrs.data(), t);
    return ds;
}

}  // namespace mss::output::h5
